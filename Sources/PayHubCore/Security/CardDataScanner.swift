/// Looks for card numbers where a request carries them, decoded as PayHub will decode them: JSON (string values
/// and keys with their escapes decoded, numbers also in their integer form, at any depth), URL-encoded forms and
/// query strings (percent-decoded, `+` as a space) and plain text.
public enum CardDataScanner {
    /// A JSON document (or any text: outside string literals the bytes are read as they are, so text that is not
    /// JSON is scanned as plain text).
    public static func jsonContainsCardNumber(_ bytes: [UInt8]) -> Bool {
        if bytes.withUnsafeBufferPointer(CardNumberDetector.tooFewDigits) { return false }
        var scanner = CardNumberScanner()
        var number = NumberLexeme()
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                if scanner.finish() || number.endContainsCardNumber() { return true }
                let (found, next) = scanString(bytes, from: index + 1, with: &scanner)
                if found { return true }
                index = next
                continue
            }
            if number.feed(byte) == false, number.endContainsCardNumber() { return true }
            if byte < 0x80 {
                if scanner.feed(ascii: byte) { return true }
                index += 1
            } else {
                let (scalar, next) = UTF8Reading.scalar(in: bytes, at: index)
                if scanner.feed(scalar) { return true }
                index = next
            }
        }
        return scanner.finish() || number.endContainsCardNumber()
    }

    /// A URL-encoded form body, query string or path: decoded once, with `+` as a space.
    public static func formContainsCardNumber(_ text: String) -> Bool {
        if CardNumberDetector.tooFewDigits(text) { return false }
        if CardNumberDetector.containsCardNumber(text) { return true }
        return text.utf8.contains { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }
            && CardNumberDetector.containsCardNumber(percentDecoded(text))
    }

    static func percentDecoded(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                decoded.append(0x20)
            } else if byte == UInt8(ascii: "%"), index + 2 < bytes.count,
                      let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                decoded.append(high << 4 | low)
                index += 2
            } else {
                decoded.append(byte)
            }
            index += 1
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    /// Scans the string literal that starts at `start` (after its opening quote), decoding escapes; returns whether
    /// it carries a card number and the index after its closing quote.
    private static func scanString(
        _ bytes: [UInt8], from start: Int, with scanner: inout CardNumberScanner
    ) -> (found: Bool, next: Int) {
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { return (scanner.finish(), index + 1) }
            if byte < 0x80 && byte != UInt8(ascii: "\\") {
                if scanner.feed(ascii: byte) { return (true, index + 1) }
                index += 1
                continue
            }
            let scalar: Unicode.Scalar
            if byte == UInt8(ascii: "\\"), index + 1 < bytes.count {
                (scalar, index) = unescape(bytes, at: index + 1)
            } else {
                (scalar, index) = UTF8Reading.scalar(in: bytes, at: index)
            }
            if scanner.feed(scalar) { return (true, index) }
        }
        return (scanner.finish(), index)
    }

    /// The scalar an escape stands for (`at` is just after the backslash) and the index after it.
    private static func unescape(_ bytes: [UInt8], at index: Int) -> (Unicode.Scalar, Int) {
        switch bytes[index] {
        case UInt8(ascii: "u"):
            guard let high = hex4(bytes, at: index + 1) else { return ("\u{FFFD}", index + 1) }
            if (0xD800...0xDBFF).contains(high), index + 6 < bytes.count, bytes[index + 5] == UInt8(ascii: "\\"),
               bytes[index + 6] == UInt8(ascii: "u"), let low = hex4(bytes, at: index + 7), (0xDC00...0xDFFF).contains(low) {
                let value = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                return (Unicode.Scalar(value) ?? "\u{FFFD}", index + 11)
            }
            return (Unicode.Scalar(high) ?? "\u{FFFD}", index + 5)
        case UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return ("\n", index + 1)
        default:
            return UTF8Reading.scalar(in: bytes, at: index)
        }
    }

    private static func hex4(_ bytes: [UInt8], at index: Int) -> UInt32? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for offset in 0..<4 {
            guard let digit = hexValue(bytes[index + offset]) else { return nil }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// A JSON number outside a string, collected so that one written with an exponent (`4.242424242424242e15`) is also
/// scanned as the integer it stands for.
private struct NumberLexeme {
    private var bytes: [UInt8] = []
    private var hasExponent = false

    /// Adds a byte; false when the byte is not part of a number (the lexeme so far has then ended).
    mutating func feed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "+"):
            bytes.append(byte)
            return true
        case UInt8(ascii: "e"), UInt8(ascii: "E"):
            bytes.append(byte)
            hasExponent = true
            return true
        default:
            return false
        }
    }

    /// Ends the lexeme; true when it is a number with an exponent whose integer value is a card number.
    mutating func endContainsCardNumber() -> Bool {
        if bytes.isEmpty { return false }
        defer {
            bytes.removeAll(keepingCapacity: true)
            hasExponent = false
        }
        guard hasExponent, let digits = Self.integerDigits(of: bytes) else { return false }
        var scanner = CardNumberScanner()
        for digit in digits where scanner.feed(Unicode.Scalar(digit + 0x30)) { return true }
        return scanner.finish()
    }

    /// The decimal digits of `-?int(.frac)?[eE][+-]?exp` when it is a whole number (at most 40 digits).
    static func integerDigits(of lexeme: [UInt8]) -> [UInt8]? {
        var index = lexeme.startIndex
        if index < lexeme.endIndex, lexeme[index] == UInt8(ascii: "-") { index += 1 }
        var mantissa: [UInt8] = []
        var fractionLength = 0
        var seenPoint = false
        while index < lexeme.endIndex, lexeme[index] != UInt8(ascii: "e"), lexeme[index] != UInt8(ascii: "E") {
            let byte = lexeme[index]
            if byte == UInt8(ascii: ".") {
                guard !seenPoint else { return nil }
                seenPoint = true
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                mantissa.append(byte - UInt8(ascii: "0"))
                if seenPoint { fractionLength += 1 }
            } else {
                return nil
            }
            index += 1
        }
        guard !mantissa.isEmpty, index < lexeme.endIndex else { return nil }
        index += 1
        var negativeExponent = false
        if index < lexeme.endIndex, lexeme[index] == UInt8(ascii: "-") || lexeme[index] == UInt8(ascii: "+") {
            negativeExponent = lexeme[index] == UInt8(ascii: "-")
            index += 1
        }
        guard index < lexeme.endIndex else { return nil }
        var exponent = 0
        while index < lexeme.endIndex {
            let byte = lexeme[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            exponent = min(exponent * 10 + Int(byte - UInt8(ascii: "0")), 1000)
            index += 1
        }
        let shift = (negativeExponent ? -exponent : exponent) - fractionLength
        if shift < 0 {
            guard -shift <= mantissa.count, mantissa.suffix(-shift).allSatisfy({ $0 == 0 }) else { return nil }
            mantissa.removeLast(-shift)
        } else {
            guard mantissa.count + shift <= 40 else { return nil }
            mantissa.append(contentsOf: repeatElement(0, count: shift))
        }
        guard let first = mantissa.firstIndex(where: { $0 != 0 }) else { return nil }
        return Array(mantissa[first...])
    }
}

/// Reads UTF-8 one scalar at a time; a malformed sequence reads as U+FFFD and one byte.
enum UTF8Reading {
    static func scalar(in bytes: [UInt8], at index: Int) -> (Unicode.Scalar, Int) {
        let lead = bytes[index]
        if lead < 0x80 { return (Unicode.Scalar(lead), index + 1) }
        let length: Int
        var value: UInt32
        switch lead {
        case 0xC2...0xDF: (length, value) = (2, UInt32(lead & 0x1F))
        case 0xE0...0xEF: (length, value) = (3, UInt32(lead & 0x0F))
        case 0xF0...0xF4: (length, value) = (4, UInt32(lead & 0x07))
        default: return ("\u{FFFD}", index + 1)
        }
        guard index + length <= bytes.count else { return ("\u{FFFD}", index + 1) }
        for offset in 1..<length {
            let byte = bytes[index + offset]
            guard byte & 0xC0 == 0x80 else { return ("\u{FFFD}", index + 1) }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        let minimum: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000
        guard value >= minimum, let scalar = Unicode.Scalar(value) else { return ("\u{FFFD}", index + 1) }
        return (scalar, index + length)
    }
}
