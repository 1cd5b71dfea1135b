import Foundation

/// A document's free text as an e-invoice field takes it.
enum EInvoiceText {
    /// One line: the characters XML 1.0 cannot hold removed, every run of whitespace (tabs, line breaks) one space,
    /// trimmed. Nil when nothing is left.
    static func line(_ value: String?) -> String? {
        guard let value else { return nil }
        var result = ""
        var pendingSpace = false
        for scalar in StableText.composed(value).unicodeScalars where XMLWriter.isAllowed(scalar) {
            if scalar.properties.isWhitespace {
                pendingSpace = !result.isEmpty
                continue
            }
            if pendingSpace { result += " " }
            pendingSpace = false
            result.unicodeScalars.append(scalar)
        }
        return result.isEmpty ? nil : result
    }

    /// Lines of text (a note): each line as `line(_:)` makes it, empty lines dropped, joined by `\n`.
    static func paragraph(_ value: String?) -> String? {
        guard let value else { return nil }
        let lines = value.split(whereSeparator: \.isNewline).compactMap { line(String($0)) }
        return lines.isEmpty ? nil : lines.joined(separator: "\n")
    }

    /// The value in ISO 8859-1 (FatturaPA's `String…LatinType`: Basic Latin and Latin-1 Supplement): a letter outside
    /// it becomes its base letter (`ő` → `o`, `Ł` → `L`), typographic punctuation its ASCII form. Nil when a character
    /// has no such form (`東`), so that the caller refuses the field rather than writing something else.
    static func latin1(_ value: String) -> String? {
        var result = ""
        for scalar in StableText.composed(value).unicodeScalars {
            if scalar.value <= 0xFF {
                result.unicodeScalars.append(scalar)
            } else if let replacement = latin1Replacement(scalar) {
                result += replacement
            } else if (0x300...0x36F).contains(scalar.value) {
                continue  // a combining accent left on a letter that has no precomposed Latin-1 form: the letter stays
            } else {
                return nil
            }
        }
        return result
    }

    private static func latin1Replacement(_ scalar: Unicode.Scalar) -> String? {
        if let replacement = replacements[scalar] { return replacement }
        let decomposed = String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars
        guard let base = decomposed.first, base.value <= 0xFF, base.properties.isAlphabetic,
              decomposed.dropFirst().allSatisfy({ (0x300...0x36F).contains($0.value) })
        else { return nil }
        return String(base)
    }

    /// Latin Extended-A letters without a canonical decomposition, and punctuation with an ASCII equivalent.
    private static let replacements: [Unicode.Scalar: String] = [
        "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "Ĳ": "IJ", "ĳ": "ij", "ĸ": "k", "Ŀ": "L", "ŀ": "l",
        "Ł": "L", "ł": "l", "ŉ": "'n", "Ŋ": "N", "ŋ": "n", "Œ": "OE", "œ": "oe", "Ŧ": "T", "ŧ": "t", "ſ": "s",
        "\u{2018}": "'", "\u{2019}": "'", "\u{201A}": "'", "\u{201C}": "\"", "\u{201D}": "\"", "\u{201E}": "\"",
        "\u{2013}": "-", "\u{2014}": "-", "\u{2026}": "...", "\u{2022}": "*", "\u{20AC}": "EUR",
    ]

    /// At most `maximum` characters as XML Schema counts them (Unicode scalars), cut after the last space when there
    /// is one in the last fifth, never inside a character; trailing spaces removed.
    static func truncated(_ value: String, to maximum: Int) -> String {
        let scalars = value.unicodeScalars
        guard scalars.count > maximum else { return value }
        var cut = String(String.UnicodeScalarView(scalars.prefix(maximum)))
        if let space = cut.lastIndex(of: " "), cut.distance(from: space, to: cut.endIndex) <= maximum / 5 {
            cut = String(cut[..<space])
        }
        while cut.last == " " { cut.removeLast() }
        return cut
    }

    /// Whether every character of `value` is in `allowed` (ASCII patterns of the schemas: codes, postal codes).
    static func matches(_ value: String, length: ClosedRange<Int>, _ allowed: (Unicode.Scalar) -> Bool) -> Bool {
        length.contains(value.unicodeScalars.count) && value.unicodeScalars.allSatisfy(allowed)
    }

    static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }
    static func isUpperLetter(_ scalar: Unicode.Scalar) -> Bool { ("A"..."Z").contains(scalar) }
    static func isUpperAlphanumeric(_ scalar: Unicode.Scalar) -> Bool { isDigit(scalar) || isUpperLetter(scalar) }
    static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool { isUpperAlphanumeric(scalar) || ("a"..."z").contains(scalar) }
}
