/// RFC 2045 quoted-printable, for bodies that are not plain 7-bit text: lines of at most 76 characters (soft breaks
/// end in `=`), `=XX` for non-ASCII bytes, `=` itself and whitespace before a line break.
enum QuotedPrintable {
    static let lineLimit = 76

    /// Encodes the lines of `text` (already split on line breaks); the result's lines end in CRLF.
    static func encode(lines: [Substring]) -> String {
        var output = ""
        for line in lines {
            var current = ""
            let bytes = Array(line.utf8)
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                let piece: String
                switch byte {
                case 0x21...0x3C, 0x3E...0x7E: piece = String(UnicodeScalar(byte))
                case 0x20, 0x09: piece = isLast ? hex(byte) : String(UnicodeScalar(byte))
                default: piece = hex(byte)
                }
                // Keep room for the soft break's `=`.
                if current.utf8.count + piece.utf8.count > lineLimit - 1 {
                    output += current + "=\r\n"
                    current = ""
                }
                current += piece
            }
            output += current + "\r\n"
        }
        return output
    }

    private static let digits = Array("0123456789ABCDEF")

    private static func hex(_ byte: UInt8) -> String {
        "=" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }
}
