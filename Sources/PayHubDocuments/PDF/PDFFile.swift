import Foundation

/// Assembles a PDF 1.7 file: numbered indirect objects, a cross-reference table with the exact byte offset of
/// each, and the trailer. Objects are written in number order, so the same calls give the same bytes.
struct PDFFile {
    private enum Body {
        case object(PDFObject)
        case stream(PDFObject, [UInt8])
        case shared(PDFSharedObject)
    }

    private var bodies: [Body?] = []

    /// A number for an object written later (pages name their parent before it exists).
    mutating func reserve() -> Int {
        bodies.append(nil)
        return bodies.count
    }

    mutating func add(_ object: PDFObject) -> Int {
        let number = reserve()
        set(number, object)
        return number
    }

    /// A stream: `dictionary` gets its `/Length` here.
    mutating func addStream(_ dictionary: [(String, PDFObject)], _ data: [UInt8]) -> Int {
        let number = reserve()
        bodies[number - 1] = .stream(.dictionary(dictionary + [("Length", .int(data.count))]), data)
        return number
    }

    /// An object every document repeats, serialised once (a font program).
    mutating func add(_ shared: PDFSharedObject) -> Int {
        let number = reserve()
        bodies[number - 1] = .shared(shared)
        return number
    }

    mutating func set(_ number: Int, _ object: PDFObject) {
        bodies[number - 1] = .object(object)
    }

    /// A stream object's body, from its dictionary to `endstream`.
    static func writeStream(_ dictionary: PDFObject, _ data: [UInt8], to out: inout [UInt8]) {
        dictionary.write(to: &out)
        out += "\nstream\n".utf8
        out += data
        out += "\nendstream".utf8
    }

    /// The file, with `root` as the catalog and `info` as the document information dictionary.
    func bytes(root: Int, info: Int) -> [UInt8] {
        var out: [UInt8] = Array("%PDF-1.7\n%".utf8) + [0xE2, 0xE3, 0xCF, 0xD3, 0x0A]
        out.reserveCapacity(bodies.reduce(4096) { size, body in
            switch body {
            case .stream(_, let data)?: size + data.count + 128
            case .shared(let shared)?: size + shared.bytes.count + 32
            default: size + 256
            }
        })
        // The identifier hashes the file as it is written; a shared object's bytes are hashed once per state.
        var identifier = PDFFileIdentifier()
        var hashed = 0
        var offsets: [Int] = []
        for (index, body) in bodies.enumerated() {
            offsets.append(out.count)
            PDFNumber.append(index + 1, to: &out)
            out += " 0 obj\n".utf8
            switch body {
            case .object(let object)?:
                object.write(to: &out)
            case .stream(let dictionary, let data)?:
                Self.writeStream(dictionary, data, to: &out)
            case .shared(let shared)?:
                identifier.add(out[hashed...])
                identifier = shared.identifier(after: identifier)
                out += shared.bytes
                hashed = out.count
            case nil:
                preconditionFailure("PDF object \(index + 1) was reserved but never written")
            }
            out += "\nendobj\n".utf8
        }
        let xref = out.count
        out += "xref\n0 \(bodies.count + 1)\n0000000000 65535 f\r\n".utf8
        for offset in offsets {
            let digits = String(offset)
            out += (String(repeating: "0", count: max(0, 10 - digits.count)) + digits + " 00000 n\r\n").utf8
        }
        identifier.add(out[hashed...])
        let trailer = PDFObject.dictionary([
            ("Size", .int(bodies.count + 1)), ("Root", .reference(root)), ("Info", .reference(info)),
            ("ID", .array([.hexString(identifier.bytes), .hexString(identifier.bytes)])),
        ])
        out += "trailer\n".utf8
        trailer.write(to: &out)
        out += "\nstartxref\n\(xref)\n%%EOF\n".utf8
        return out
    }

    /// The file identifier (§14.4): 16 bytes derived from the body, two 64-bit FNV-1a hashes with different
    /// offsets, so the same document has the same identifier. `bytes` writes the one of everything before its
    /// trailer, hashed as it goes.
    static func identifier(of bytes: [UInt8]) -> [UInt8] {
        var identifier = PDFFileIdentifier()
        identifier.add(bytes[...])
        return identifier.bytes
    }
}

/// The running state of `PDFFile.identifier`: both FNV-1a hashes over the bytes so far.
struct PDFFileIdentifier: Hashable, Sendable {
    private var first: UInt64 = 0xCBF2_9CE4_8422_2325
    private var second: UInt64 = 0x6C62_272E_07BB_0142

    mutating func add(_ bytes: ArraySlice<UInt8>) {
        var first = first, second = second
        bytes.withUnsafeBufferPointer { buffer in
            for byte in buffer {
                first = (first ^ UInt64(byte)) &* 0x100_0000_01B3
                second = (second ^ UInt64(byte)) &* 0x100_0000_01B3
            }
        }
        (self.first, self.second) = (first, second)
    }

    var bytes: [UInt8] {
        [first, second].flatMap { value in (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) } }
    }
}

/// An object that is the same in every document (a font program, its ToUnicode map), serialised once per process.
/// Hashing it into a file's identifier is remembered by the state the hash was in before it: the bytes before it
/// vary with few things (the language, the number of pages), so most files find their state already done.
final class PDFSharedObject: @unchecked Sendable {
    /// The object's body as `PDFFile` writes it, without `n 0 obj` and `endobj`.
    let bytes: [UInt8]
    private let lock = NSLock()
    /// Guarded by `lock`; emptied when full, so a stream of unusual documents cannot grow it.
    private var identifiers: [PDFFileIdentifier: PDFFileIdentifier] = [:]
    private static let rememberedStates = 64

    /// A stream: `dictionary` gets its `/Length` here.
    init(stream dictionary: [(String, PDFObject)], _ data: [UInt8]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(data.count + 64)
        PDFFile.writeStream(.dictionary(dictionary + [("Length", .int(data.count))]), data, to: &bytes)
        self.bytes = bytes
    }

    /// The identifier's state once `bytes` are hashed after `state`.
    func identifier(after state: PDFFileIdentifier) -> PDFFileIdentifier {
        if let known = lock.withLock({ identifiers[state] }) { return known }
        var next = state
        next.add(bytes[...])
        lock.withLock {
            if identifiers.count >= Self.rememberedStates { identifiers.removeAll(keepingCapacity: true) }
            identifiers[state] = next
        }
        return next
    }
}
