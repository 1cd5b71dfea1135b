import Foundation

/// A TrueType font embedded as a Type 0 font with a CIDFontType2 descendant, Identity-H encoding (two bytes per
/// glyph id, CID = glyph id), /W widths from hmtx and a /ToUnicode CMap, so text extraction gives back the text.
/// Made once per face (`PDFFonts`): the glyphs of the stable scalars and what every document embeds of the font
/// are worked out here, not per document.
struct PDFFont: Sendable {
    let font: TrueTypeFont
    /// The resource name in content streams, `F1`.
    let resourceName: String
    private let replacement: UInt16
    private let space: UInt16
    private let common: CommonGlyphs
    private let embedding: Embedding

    init(_ font: TrueTypeFont, resourceName: String) {
        self.font = font
        self.resourceName = resourceName
        // The shipped fonts have both; a font without them would fail the tests, not a document.
        let replacement = font.glyph(for: "?") ?? 0
        let space = font.glyph(for: " ") ?? replacement
        self.replacement = replacement
        self.space = space
        common = CommonGlyphs(font: font) { Self.glyph(for: $0, in: font, space: space, replacement: replacement) }
        embedding = Embedding(font)
    }

    /// The glyphs that draw `text`: composed first (NFC), control and separator characters as spaces, and
    /// characters the font lacks as "?". Nothing in `text` reaches the PDF as syntax.
    func glyphs(_ text: some StringProtocol) -> [UInt16] {
        var glyphs: [UInt16] = []
        glyphs.reserveCapacity(text.utf8.count)
        if common.append(text, to: &glyphs) { return glyphs }
        return composedGlyphs(text)
    }

    /// `glyphs` for any text: composed (NFC), then scalar by scalar.
    func composedGlyphs(_ text: some StringProtocol) -> [UInt16] {
        String(text).precomposedStringWithCanonicalMapping.unicodeScalars.compactMap {
            Self.glyph(for: $0, in: font, space: space, replacement: replacement)
        }
    }

    /// The glyph that draws one scalar of composed text, nil for none.
    private static func glyph(for scalar: Unicode.Scalar, in font: TrueTypeFont, space: UInt16, replacement: UInt16) -> UInt16? {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: return space
        case .format: return nil  // zero-width joiners, bidi marks, soft hyphen: nothing to draw
        default: return font.glyph(for: scalar) ?? replacement
        }
    }

    /// The width of `text` at `size` points, from the same rounded widths the PDF declares.
    func width(_ text: some StringProtocol, size: Double) -> Double {
        if let units = common.units(text) { return Self.points(units, size: size) }
        return width(glyphs: glyphs(text), size: size)
    }

    func width(glyphs: [UInt16], size: Double) -> Double {
        Self.points(glyphs.reduce(0) { $0 + common.width(of: $1) }, size: size)
    }

    /// The width of `text` in thousandths of an em when it is stable (`StableText`), where widths add up: the width
    /// of two texts one after the other is the sum of theirs.
    func units(_ text: some StringProtocol) -> Int? { common.units(text) }

    static func points(_ units: Int, size: Double) -> Double { Double(units) * size / 1000 }

    var ascent: Double { Double(font.thousandths(font.ascender)) / 1000 }
    var descent: Double { Double(font.thousandths(font.descender)) / 1000 }

    /// Writes the font's objects and returns the number of the Type 0 font dictionary.
    func embed(in file: inout PDFFile) -> Int {
        let fontFile = file.add(embedding.program)
        let descriptor = file.add(.dictionary(embedding.descriptor + [("FontFile2", .reference(fontFile))]))
        let descendant = file.add(.dictionary([
            ("Type", .name("Font")), ("Subtype", .name("CIDFontType2")), ("BaseFont", .name(font.postScriptName)),
            ("CIDSystemInfo", .dictionary([("Registry", .ascii("Adobe")), ("Ordering", .ascii("Identity")), ("Supplement", .int(0))])),
            ("FontDescriptor", .reference(descriptor)), ("DW", .int(font.width(of: 0))), ("W", embedding.widths),
            ("CIDToGIDMap", .name("Identity")),
        ]))
        let toUnicode = file.add(embedding.toUnicode)
        return file.add(.dictionary([
            ("Type", .name("Font")), ("Subtype", .name("Type0")), ("BaseFont", .name(font.postScriptName)),
            ("Encoding", .name("Identity-H")), ("DescendantFonts", .array([.reference(descendant)])),
            ("ToUnicode", .reference(toUnicode)),
        ]))
    }

    /// The parts of the font's objects that are the same in every document, serialised once: the whole font
    /// program (/FontFile2), the descriptor's metrics, the /W array of every glyph's width and the ToUnicode CMap.
    /// The font is embedded whole, so every glyph a document can draw is in it and in its ToUnicode map.
    private struct Embedding: Sendable {
        let program: PDFSharedObject
        let descriptor: [(String, PDFObject)]
        let widths: PDFObject
        let toUnicode: PDFSharedObject

        init(_ font: TrueTypeFont) {
            program = PDFSharedObject(stream: [("Length1", .int(font.data.count))], font.data)
            let box = font.boundingBox.map { PDFObject.int(font.thousandths($0)) }
            // StemV is not in the font's tables: the usual estimate from the weight class.
            let stemV = 10 + 220 * max(0, font.weightClass - 50) / 900
            var flags = 1 << 5  // non-symbolic
            if font.isFixedPitch { flags |= 1 }
            if font.italicAngle != 0 { flags |= 1 << 6 }
            descriptor = [
                ("Type", .name("FontDescriptor")), ("FontName", .name(font.postScriptName)), ("Flags", .int(flags)),
                ("FontBBox", .array(box)), ("ItalicAngle", .real(font.italicAngle)),
                ("Ascent", .int(font.thousandths(font.ascender))), ("Descent", .int(font.thousandths(font.descender))),
                ("CapHeight", .int(font.thousandths(font.capHeight))), ("StemV", .int(stemV)),
                ("MissingWidth", .int(font.width(of: 0))),
            ]
            var widths: [UInt8] = []
            PDFObject.array([.int(0), .array((0..<font.advances.count).map { .int(font.width(of: UInt16($0))) })]).write(to: &widths)
            self.widths = .serialized(widths)
            toUnicode = PDFSharedObject(stream: [], PDFFont.toUnicodeCMap(font))
        }
    }

    /// glyph id → Unicode for every glyph the cmap reaches (the lowest code point where several share a glyph).
    func toUnicodeCMap() -> [UInt8] { Self.toUnicodeCMap(font) }

    private static func toUnicodeCMap(_ font: TrueTypeFont) -> [UInt8] {
        var unicodeByGlyph: [UInt16: UInt32] = [:]
        for (scalar, glyph) in font.glyphsByScalar where unicodeByGlyph[glyph].map({ scalar < $0 }) ?? true {
            unicodeByGlyph[glyph] = scalar
        }
        let pairs = unicodeByGlyph.sorted { $0.key < $1.key }
        var text = """
            /CIDInit /ProcSet findresource begin
            12 dict begin
            begincmap
            /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
            /CMapName /Adobe-Identity-UCS def
            /CMapType 2 def
            1 begincodespacerange
            <0000> <FFFF>
            endcodespacerange

            """
        var start = 0
        while start < pairs.count {  // at most 100 entries per block (§9.10.3)
            let block = pairs[start..<min(start + 100, pairs.count)]
            text += "\(block.count) beginbfchar\n"
            for (glyph, scalar) in block { text += "<\(hex4(UInt32(glyph)))> <\(hex4(scalar))>\n" }
            text += "endbfchar\n"
            start += 100
        }
        text += "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
        return Array(text.utf8)
    }

    static func hex4(_ value: UInt32) -> String {
        PDFHex.string([UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)])
    }
}

/// The two shipped faces, PayHub Sans (a renamed subset of DejaVu Sans, see Fonts/README.md), read once.
enum PDFFonts {
    static let regular = PDFFont(load("PayHubSans", postScriptName: "PayHubSans"), resourceName: "F1")
    static let bold = PDFFont(load("PayHubSans-Bold", postScriptName: "PayHubSans-Bold"), resourceName: "F2")

    private static func load(_ file: String, postScriptName: String) -> TrueTypeFont {
        guard let url = Bundle.module.url(forResource: file, withExtension: "ttf", subdirectory: "Fonts"),
              let data = try? Data(contentsOf: url)
        else { preconditionFailure("PayHubDocuments: the font resource Fonts/\(file).ttf is missing from the bundle") }
        do {
            return try TrueTypeFont(Array(data), postScriptName: postScriptName)
        } catch {
            preconditionFailure("PayHubDocuments: Fonts/\(file).ttf cannot be read: \(error)")
        }
    }
}
