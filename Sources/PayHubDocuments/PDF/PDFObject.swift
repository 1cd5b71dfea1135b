/// A PDF object (ISO 32000-1 §7.3) as the writer serialises it. Strings are always hexadecimal, so no text can
/// break the syntax; names are written through `PDFName`, which escapes every byte outside the regular ones.
enum PDFObject: Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case real(Double)
    case name(String)
    /// Bytes written as `<…>`.
    case hexString([UInt8])
    case array([PDFObject])
    /// Keys in the order given: the output is the same every time.
    case dictionary([(String, PDFObject)])
    case reference(Int)
    /// An object already written by `write(to:)`: what every document repeats (a font's /W array), written once.
    case serialized([UInt8])

    /// A text string (§7.9.2.2): UTF-16BE with its byte order mark, for /Info entries.
    static func text(_ value: String) -> PDFObject {
        .hexString([0xFE, 0xFF] + value.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
    }

    /// A string of ASCII bytes (dates, identifiers), written as hex like every string.
    static func ascii(_ value: String) -> PDFObject { .hexString(Array(value.utf8)) }

    static func rectangle(_ values: [Double]) -> PDFObject { .array(values.map { .real($0) }) }

    func write(to out: inout [UInt8]) {
        switch self {
        case .null: out += "null".utf8
        case .bool(let value): out += (value ? "true" : "false").utf8
        case .int(let value): PDFNumber.append(value, to: &out)
        case .real(let value): PDFNumber.append(value, to: &out)
        case .name(let value): PDFName.append(value, to: &out)
        case .hexString(let bytes):
            out.append(UInt8(ascii: "<"))
            PDFHex.append(bytes, to: &out)
            out.append(UInt8(ascii: ">"))
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: " ")) }
                item.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .dictionary(let entries):
            out += "<<".utf8
            for (key, value) in entries {
                PDFName.append(key, to: &out)
                out.append(UInt8(ascii: " "))
                value.write(to: &out)
                out.append(UInt8(ascii: " "))
            }
            out += ">>".utf8
        case .reference(let number):
            PDFNumber.append(number, to: &out)
            out += " 0 R".utf8
        case .serialized(let bytes): out += bytes
        }
    }
}

/// Numbers in content streams and objects: at most two decimals, no exponent, no locale, `-0` written as `0`.
enum PDFNumber {
    static func format(_ value: Double) -> String {
        var out: [UInt8] = []
        append(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `format(value)`'s bytes, appended.
    static func append(_ value: Double, to out: inout [UInt8]) {
        guard value.isFinite else { return out.append(UInt8(ascii: "0")) }
        let hundredths = Int((value * 100).rounded())
        if hundredths == 0 { return out.append(UInt8(ascii: "0")) }
        if hundredths < 0 { out.append(UInt8(ascii: "-")) }
        let magnitude = hundredths.magnitude
        let whole = magnitude / 100, fraction = magnitude % 100
        appendDigits(whole, to: &out)
        guard fraction != 0 else { return }
        out.append(UInt8(ascii: "."))
        out.append(UInt8(ascii: "0") + UInt8(fraction / 10))
        if fraction % 10 != 0 { out.append(UInt8(ascii: "0") + UInt8(fraction % 10)) }
    }

    /// An integer in decimal, appended.
    static func append(_ value: Int, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        appendDigits(value.magnitude, to: &out)
    }

    private static func appendDigits(_ value: UInt, to out: inout [UInt8]) {
        var divisor: UInt = 1
        while divisor <= value / 10 { divisor *= 10 }
        repeat {
            out.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        } while divisor > 0
    }
}

enum PDFName {
    /// `/Name`, with `#xx` for every byte that is not a regular printable character (§7.3.5).
    static func encode(_ name: String) -> [UInt8] {
        var out: [UInt8] = []
        append(name, to: &out)
        return out
    }

    static func append(_ name: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "/"))
        for byte in name.utf8 {
            if byte > 0x20, byte < 0x7F, !isDelimiter(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "#"))
                PDFHex.append(byte, to: &out)
            }
        }
    }

    private static func isDelimiter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "["), UInt8(ascii: "]"),
             UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "/"), UInt8(ascii: "%"), UInt8(ascii: "#"): true
        default: false
        }
    }
}

enum PDFHex {
    private static let digits = Array("0123456789ABCDEF".utf8)

    static func append(_ bytes: [UInt8], to out: inout [UInt8]) {
        out.reserveCapacity(out.count + bytes.count * 2)
        for byte in bytes { append(byte, to: &out) }
    }

    static func append(_ byte: UInt8, to out: inout [UInt8]) {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0F)])
    }

    /// Glyph ids as Identity-H codes: two bytes each, big-endian, in hex.
    static func append(glyphs: [UInt16], to out: inout [UInt8]) {
        out.reserveCapacity(out.count + glyphs.count * 4)
        for glyph in glyphs {
            append(UInt8(glyph >> 8), to: &out)
            append(UInt8(glyph & 0xFF), to: &out)
        }
    }

    static func string(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        append(bytes, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
