/// Assembles a PDF 1.7 file: numbered indirect objects, a cross-reference table with the exact byte offset of
/// each, and the trailer. Objects are written in number order, so the same calls give the same bytes.
struct PDFFile {
    private enum Body {
        case object(PDFObject)
        case stream(PDFObject, [UInt8])
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

    mutating func set(_ number: Int, _ object: PDFObject) {
        bodies[number - 1] = .object(object)
    }

    /// The file, with `root` as the catalog and `info` as the document information dictionary.
    func bytes(root: Int, info: Int) -> [UInt8] {
        var out: [UInt8] = Array("%PDF-1.7\n%".utf8) + [0xE2, 0xE3, 0xCF, 0xD3, 0x0A]
        var offsets: [Int] = []
        for (index, body) in bodies.enumerated() {
            offsets.append(out.count)
            out += Array("\(index + 1) 0 obj\n".utf8)
            switch body {
            case .object(let object)?:
                object.write(to: &out)
            case .stream(let dictionary, let data)?:
                dictionary.write(to: &out)
                out += Array("\nstream\n".utf8)
                out += data
                out += Array("\nendstream".utf8)
            case nil:
                preconditionFailure("PDF object \(index + 1) was reserved but never written")
            }
            out += Array("\nendobj\n".utf8)
        }
        let xref = out.count
        out += Array("xref\n0 \(bodies.count + 1)\n0000000000 65535 f\r\n".utf8)
        for offset in offsets {
            let digits = String(offset)
            out += Array((String(repeating: "0", count: max(0, 10 - digits.count)) + digits + " 00000 n\r\n").utf8)
        }
        let identifier = PDFFile.identifier(of: out)
        let trailer = PDFObject.dictionary([
            ("Size", .int(bodies.count + 1)), ("Root", .reference(root)), ("Info", .reference(info)),
            ("ID", .array([.hexString(identifier), .hexString(identifier)])),
        ])
        out += Array("trailer\n".utf8)
        trailer.write(to: &out)
        out += Array("\nstartxref\n\(xref)\n%%EOF\n".utf8)
        return out
    }

    /// The file identifier (§14.4): 16 bytes derived from the body, two 64-bit FNV-1a hashes with different
    /// offsets, so the same document has the same identifier.
    static func identifier(of bytes: [UInt8]) -> [UInt8] {
        func fnv(_ seed: UInt64) -> UInt64 {
            var hash = seed
            for byte in bytes {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01B3
            }
            return hash
        }
        return [fnv(0xCBF2_9CE4_8422_2325), fnv(0x6C62_272E_07BB_0142)].flatMap { value in
            (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) }
        }
    }
}
