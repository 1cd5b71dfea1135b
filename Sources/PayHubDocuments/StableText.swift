import Foundation

/// The scalars most invoice text is made of that Unicode normalisation (NFC) leaves alone whatever surrounds
/// them: no canonical combining class, no decomposition, and never the second half of a composition (those are
/// combining marks, a few Indic vowel signs and the Hangul jamo, none of them here). They are U+0000–U+02FF
/// (Latin, Latin-1, Latin Extended-A and B, IPA, spacing modifiers), the general punctuation U+2010–U+205E
/// (dashes, quotes, bullets, the ellipsis, the narrow no-break space) and the currency signs U+20A0–U+20C0. Text
/// made only of them needs no normalisation, and each of them is a character of its own (but "\r\n", two
/// separators): the renderers' fast paths.
enum StableText {
    static let ranges: [ClosedRange<UInt32>] = [0x0000...0x02FF, 0x2010...0x205E, 0x20A0...0x20C0]

    private enum Kind: UInt8 {
        case outside, stable, separator
    }

    /// By scalar, up to the end of the last range.
    private static let kinds: [Kind] = {
        var kinds = [Kind](repeating: .outside, count: Int(ranges.last!.upperBound) + 1)
        for value in ranges.joined() {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let separator = scalar.properties.isWhitespace || scalar.properties.generalCategory == .control
            kinds[Int(value)] = separator ? .separator : .stable
        }
        return kinds
    }()

    static func isStable(_ scalar: Unicode.Scalar) -> Bool {
        Int(scalar.value) < kinds.count && kinds[Int(scalar.value)] != .outside
    }

    static func isStable(_ text: some StringProtocol) -> Bool { text.unicodeScalars.allSatisfy(isStable) }

    /// White space or a control character (a stable scalar's character is one of them exactly when it is).
    static func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
        Int(scalar.value) < kinds.count && kinds[Int(scalar.value)] == .separator
    }

    /// `text` composed (NFC): itself when it is stable, Foundation's composition otherwise.
    static func composed(_ text: String) -> String { isStable(text) ? text : text.precomposedStringWithCanonicalMapping }
}
