/// `PDFFont.glyphs` for the stable scalars (`StableText`: most text is made of them), worked out once per font: a
/// table by scalar of the glyph to draw (or none, for a format character), and a width in thousandths of an em by
/// glyph. A text made only of these scalars maps one scalar at a time, with no normalisation and no allocation but
/// the result; any other scalar sends the whole text through `PDFFont.glyphs`' general path.
struct CommonGlyphs: Sendable {
    /// Entries of `glyphs`: a scalar outside the common set, and one that draws nothing.
    static let outside: UInt16 = 0xFFFF, nothing: UInt16 = 0xFFFE

    private let glyphs: [UInt16]
    /// By glyph id: the width `TrueTypeFont.width(of:)` gives.
    let widths: [Int]

    /// `glyph(scalar)` is the general path's answer for one scalar: nil when it draws nothing.
    init(font: TrueTypeFont, glyph: (Unicode.Scalar) -> UInt16?) {
        var glyphs = [UInt16](repeating: Self.outside, count: Int(StableText.ranges.last!.upperBound) + 1)
        for value in StableText.ranges.joined() {
            guard let scalar = Unicode.Scalar(value) else { continue }
            glyphs[Int(value)] = glyph(scalar) ?? Self.nothing
        }
        self.glyphs = glyphs
        widths = (0..<font.advances.count).map { font.width(of: UInt16($0)) }
    }

    func width(of glyph: UInt16) -> Int { Int(glyph) < widths.count ? widths[Int(glyph)] : 0 }

    /// Appends the glyphs of `text` and returns true, or returns false (leaving `out` as it was) when a scalar of
    /// `text` is not stable.
    func append(_ text: some StringProtocol, to out: inout [UInt16]) -> Bool {
        let start = out.count
        for scalar in text.unicodeScalars {
            let value = Int(scalar.value)
            let glyph = value < glyphs.count ? glyphs[value] : Self.outside
            if glyph == Self.outside {
                out.removeSubrange(start...)
                return false
            }
            if glyph != Self.nothing { out.append(glyph) }
        }
        return true
    }

    /// The width of `text` in thousandths of an em, or nil when a scalar of it is not stable.
    func units(_ text: some StringProtocol) -> Int? {
        var total = 0
        for scalar in text.unicodeScalars {
            let value = Int(scalar.value)
            let glyph = value < glyphs.count ? glyphs[value] : Self.outside
            if glyph == Self.outside { return nil }
            if glyph != Self.nothing { total += width(of: glyph) }
        }
        return total
    }
}
