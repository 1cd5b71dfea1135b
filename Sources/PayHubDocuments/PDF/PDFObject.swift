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

    /// A text string (§7.9.2.2): UTF-16BE with its byte order mark, for /Info entries.
    static func text(_ value: String) -> PDFObject {
        .hexString([0xFE, 0xFF] + value.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
    }

    /// A string of ASCII bytes (dates, identifiers), written as hex like every string.
    static func ascii(_ value: String) -> PDFObject { .hexString(Array(value.utf8)) }

    static func rectangle(_ values: [Double]) -> PDFObject { .array(values.map { .real($0) }) }

    func write(to out: inout [UInt8]) {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let value): out += Array((value ? "true" : "false").utf8)
        case .int(let value): out += Array(String(value).utf8)
        case .real(let value): out += Array(PDFNumber.format(value).utf8)
        case .name(let value): out += PDFName.encode(value)
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
            out += Array("<<".utf8)
            for (key, value) in entries {
                out += PDFName.encode(key)
                out.append(UInt8(ascii: " "))
                value.write(to: &out)
                out.append(UInt8(ascii: " "))
            }
            out += Array(">>".utf8)
        case .reference(let number): out += Array("\(number) 0 R".utf8)
        }
    }
}

/// Numbers in content streams and objects: at most two decimals, no exponent, no locale, `-0` written as `0`.
enum PDFNumber {
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let hundredths = Int((value * 100).rounded())
        if hundredths == 0 { return "0" }
        let sign = hundredths < 0 ? "-" : ""
        let magnitude = hundredths.magnitude
        let whole = magnitude / 100, fraction = magnitude % 100
        if fraction == 0 { return "\(sign)\(whole)" }
        if fraction % 10 == 0 { return "\(sign)\(whole).\(fraction / 10)" }
        return "\(sign)\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

enum PDFName {
    /// `/Name`, with `#xx` for every byte that is not a regular printable character (§7.3.5).
    static func encode(_ name: String) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "/")]
        for byte in name.utf8 {
            let delimiter = Array("()<>[]{}/%#".utf8).contains(byte)
            if byte > 0x20, byte < 0x7F, !delimiter {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "#"))
                PDFHex.append([byte], to: &out)
            }
        }
        return out
    }
}

enum PDFHex {
    private static let digits = Array("0123456789ABCDEF".utf8)

    static func append(_ bytes: [UInt8], to out: inout [UInt8]) {
        out.reserveCapacity(out.count + bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
    }

    static func string(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        append(bytes, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
