import XCTest
@testable import PayHubDocuments

/// The Swift TrueType reader against the numbers fontTools reads from the same file
/// (`TTFont("PayHubSans.ttf")`: getBestCmap, hmtx, head, hhea).
final class TrueTypeFontTests: XCTestCase {
    func testMetricsMatchFontTools() {
        let font = PDFFonts.regular.font
        XCTAssertEqual(font.unitsPerEm, 2048)
        XCTAssertEqual(font.advances.count, 358)
        XCTAssertEqual(font.ascender, 1901)
        XCTAssertEqual(font.descender, -483)
        XCTAssertEqual(font.glyph(for: "A"), 34)
        XCTAssertEqual(font.glyph(for: " "), 1)
        XCTAssertEqual(font.glyph(for: "ł"), 258)
        XCTAssertEqual(font.glyph(for: "€"), 347)
        XCTAssertEqual(font.advances[34], 1401)
        XCTAssertEqual(font.width(of: 34), 684)  // 1401 / 2048 em
        XCTAssertEqual(font.width(of: 347), 636)
        XCTAssertEqual(font.width(of: 258), 284)
        XCTAssertNil(font.glyph(for: "李"))
        XCTAssertEqual(font.postScriptName, "PayHubSans")
        XCTAssertGreaterThan(font.capHeight, 1000)
        XCTAssertLessThan(font.capHeight, font.ascender)
    }

    func testBothFacesCoverWhatTheBriefLists() {
        var scalars = Array(0x20...0x7E) + Array(0xA0...0x17F)
        scalars += [0x20AC, 0x2013, 0x2014, 0x2018, 0x2019, 0x201A, 0x201C, 0x201D, 0x201E, 0x2022, 0x2026, 0x202F]
        for face in [PDFFonts.regular, PDFFonts.bold] {
            for value in scalars {
                XCTAssertNotNil(face.font.glyph(for: Unicode.Scalar(UInt32(value))!), "\(face.font.postScriptName) lacks U+\(String(value, radix: 16))")
            }
        }
        XCTAssertGreaterThan(PDFFonts.bold.width("Total", size: 10), PDFFonts.regular.width("Total", size: 10))
    }

    func testTruncatedOrForeignFilesAreRefused() {
        let data = PDFFonts.regular.font.data
        XCTAssertThrowsError(try TrueTypeFont(Array(data.prefix(40)), postScriptName: "X"))
        XCTAssertThrowsError(try TrueTypeFont(Array("%PDF-1.7 not a font at all".utf8), postScriptName: "X"))
        XCTAssertThrowsError(try TrueTypeFont([], postScriptName: "X"))
    }

    func testToUnicodeMapsEveryGlyphBack() {
        let cmap = String(decoding: PDFFonts.regular.toUnicodeCMap(), as: UTF8.self)
        XCTAssertTrue(cmap.contains("<0022> <0041>"))  // glyph 34 → "A"
        XCTAssertTrue(cmap.contains("<015B> <20AC>"))  // glyph 347 → "€"
        XCTAssertFalse(cmap.contains("101 beginbfchar"))
    }

    func testGlyphsReplaceControlsAndUnknownCharacters() {
        let font = PDFFonts.regular
        let question = font.font.glyph(for: "?")!, space = font.font.glyph(for: " ")!
        XCTAssertEqual(font.glyphs("a\u{0}\nb"), [font.font.glyph(for: "a")!, space, space, font.font.glyph(for: "b")!])
        XCTAssertEqual(font.glyphs("😀"), [question])
        // Decomposed input is composed first: "L" + combining stroke is not a character, but "o" + acute is "ó".
        XCTAssertEqual(font.glyphs("o\u{301}"), [font.font.glyph(for: "ó")!])
        XCTAssertEqual(font.glyphs("a\u{200D}b").count, 2)
    }

    func testWrappingKeepsLinesInsideTheirWidth() {
        let font = PDFFonts.regular
        let text = "A description with words and an unbreakable " + String(repeating: "x", count: 90) + " end"
        let lines = TextWrap.lines(text, font: font, size: 8.5, width: 150)
        XCTAssertGreaterThan(lines.count, 2)
        for line in lines { XCTAssertLessThanOrEqual(font.width(line, size: 8.5), 150, line) }
        XCTAssertEqual(lines.joined(separator: " ").replacingOccurrences(of: " ", with: ""), text.replacingOccurrences(of: " ", with: ""))
        let capped = TextWrap.lines(text, font: font, size: 8.5, width: 150, maximumLines: 2)
        XCTAssertEqual(capped.count, 2)
        XCTAssertTrue(capped[1].hasSuffix("…"))
        XCTAssertEqual(TextWrap.lines("one\ntwo", font: font, size: 8, width: 300, keepLineBreaks: true), ["one", "two"])
        XCTAssertEqual(TextWrap.lines("one\ntwo", font: font, size: 8, width: 300), ["one two"])
    }
}
