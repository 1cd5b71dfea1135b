import Foundation

/// A TrueType font embedded as a Type 0 font with a CIDFontType2 descendant, Identity-H encoding (two bytes per
/// glyph id, CID = glyph id), /W widths from hmtx and a /ToUnicode CMap, so text extraction gives back the text.
struct PDFFont: Sendable {
    let font: TrueTypeFont
    /// The resource name in content streams, `F1`.
    let resourceName: String
    private let replacement: UInt16
    private let space: UInt16

    init(_ font: TrueTypeFont, resourceName: String) {
        self.font = font
        self.resourceName = resourceName
        // The shipped fonts have both; a font without them would fail the tests, not a document.
        replacement = font.glyph(for: "?") ?? 0
        space = font.glyph(for: " ") ?? replacement
    }

    /// The glyphs that draw `text`: composed first (NFC), control and separator characters as spaces, and
    /// characters the font lacks as "?". Nothing in `text` reaches the PDF as syntax.
    func glyphs(_ text: String) -> [UInt16] {
        text.precomposedStringWithCanonicalMapping.unicodeScalars.compactMap { scalar -> UInt16? in
            switch scalar.properties.generalCategory {
            case .control, .lineSeparator, .paragraphSeparator: return space
            case .format: return nil  // zero-width joiners, bidi marks, soft hyphen: nothing to draw
            default: return font.glyph(for: scalar) ?? replacement
            }
        }
    }

    /// The width of `text` at `size` points, from the same rounded widths the PDF declares.
    func width(_ text: String, size: Double) -> Double { width(glyphs: glyphs(text), size: size) }

    func width(glyphs: [UInt16], size: Double) -> Double {
        Double(glyphs.reduce(0) { $0 + font.width(of: $1) }) * size / 1000
    }

    var ascent: Double { Double(font.thousandths(font.ascender)) / 1000 }
    var descent: Double { Double(font.thousandths(font.descender)) / 1000 }

    /// Writes the font's objects and returns the number of the Type 0 font dictionary.
    func embed(in file: inout PDFFile) -> Int {
        let fontFile = file.addStream([("Length1", .int(font.data.count))], font.data)
        let box = font.boundingBox.map { PDFObject.int(font.thousandths($0)) }
        // StemV is not in the font's tables: the usual estimate from the weight class.
        let stemV = 10 + 220 * max(0, font.weightClass - 50) / 900
        var flags = 1 << 5  // non-symbolic
        if font.isFixedPitch { flags |= 1 }
        if font.italicAngle != 0 { flags |= 1 << 6 }
        let descriptor = file.add(.dictionary([
            ("Type", .name("FontDescriptor")), ("FontName", .name(font.postScriptName)), ("Flags", .int(flags)),
            ("FontBBox", .array(box)), ("ItalicAngle", .real(font.italicAngle)),
            ("Ascent", .int(font.thousandths(font.ascender))), ("Descent", .int(font.thousandths(font.descender))),
            ("CapHeight", .int(font.thousandths(font.capHeight))), ("StemV", .int(stemV)),
            ("MissingWidth", .int(font.width(of: 0))), ("FontFile2", .reference(fontFile)),
        ]))
        let widths = PDFObject.array([.int(0), .array((0..<font.advances.count).map { .int(font.width(of: UInt16($0))) })])
        let descendant = file.add(.dictionary([
            ("Type", .name("Font")), ("Subtype", .name("CIDFontType2")), ("BaseFont", .name(font.postScriptName)),
            ("CIDSystemInfo", .dictionary([("Registry", .ascii("Adobe")), ("Ordering", .ascii("Identity")), ("Supplement", .int(0))])),
            ("FontDescriptor", .reference(descriptor)), ("DW", .int(font.width(of: 0))), ("W", widths),
            ("CIDToGIDMap", .name("Identity")),
        ]))
        let toUnicode = file.addStream([], toUnicodeCMap())
        return file.add(.dictionary([
            ("Type", .name("Font")), ("Subtype", .name("Type0")), ("BaseFont", .name(font.postScriptName)),
            ("Encoding", .name("Identity-H")), ("DescendantFonts", .array([.reference(descendant)])),
            ("ToUnicode", .reference(toUnicode)),
        ]))
    }

    /// glyph id → Unicode for every glyph the cmap reaches (the lowest code point where several share a glyph).
    func toUnicodeCMap() -> [UInt8] {
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
            for (glyph, scalar) in block { text += "<\(Self.hex4(UInt32(glyph)))> <\(Self.hex4(scalar))>\n" }
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
