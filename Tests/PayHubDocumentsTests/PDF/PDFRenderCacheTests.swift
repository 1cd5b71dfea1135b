import Foundation
import PayHubCore
import XCTest
@testable import PayHubDocuments

/// What the renderer works out once per process (common glyphs and widths, the fonts' serialised objects and
/// their share of the file identifier, parsed logos) gives exactly what working it out per document gives.
final class PDFRenderCacheTests: XCTestCase {
    private let renderer = InvoicePDFRenderer()
    private let faces = [PDFFonts.regular, PDFFonts.bold]

    private var commonScalars: [Unicode.Scalar] { StableText.ranges.flatMap { $0 }.compactMap(Unicode.Scalar.init) }

    func testStableTextIsLeftAloneByNormalisation() {
        let firsts = (Array(0x30...0x39) + Array(0x41...0x5A) + Array(0x61...0x7A) + Array(0xC0...0xFF)).compactMap { Unicode.Scalar(UInt32($0)) }
        for scalar in commonScalars {
            let text = String(scalar)
            XCTAssertEqual(scalar.properties.canonicalCombiningClass, .notReordered, "U+\(String(scalar.value, radix: 16))")
            XCTAssertEqual(Array(text.precomposedStringWithCanonicalMapping.unicodeScalars), [scalar], "U+\(String(scalar.value, radix: 16))")
            let character = Character(scalar)
            XCTAssertEqual(StableText.isSeparator(scalar), character.isWhitespace || character.unicodeScalars.allSatisfy { $0.properties.generalCategory == .control })
            XCTAssertEqual(("a" + text + "b").count, 3, "U+\(String(scalar.value, radix: 16)) is a character of its own")
            for first in firsts {
                let pair = String(first) + text
                XCTAssertEqual(Array(pair.precomposedStringWithCanonicalMapping.unicodeScalars), [first, scalar], "U+\(String(scalar.value, radix: 16)) composes")
            }
        }
    }

    func testCommonGlyphsAndWidthsAreTheGeneralPaths() {
        for face in faces {
            for scalar in commonScalars {
                let text = String(scalar)
                XCTAssertEqual(face.glyphs(text), face.composedGlyphs(text), "U+\(String(scalar.value, radix: 16))")
                XCTAssertEqual(face.width(text, size: 10), face.width(glyphs: face.composedGlyphs(text), size: 10))
            }
            var random = SplitMix(seed: 7)
            for _ in 0..<2_000 {
                let text = random.text()
                XCTAssertEqual(face.glyphs(text), face.composedGlyphs(text), text.debugDescription)
                XCTAssertEqual(face.width(text, size: 8.5), face.width(glyphs: face.composedGlyphs(text), size: 8.5), text.debugDescription)
                XCTAssertEqual(face.units(text) != nil, text.unicodeScalars.allSatisfy { scalar in StableText.ranges.contains { $0.contains(scalar.value) } })
                XCTAssertEqual(Array(StableText.composed(text).unicodeScalars), Array(text.precomposedStringWithCanonicalMapping.unicodeScalars))
            }
        }
    }

    func testWrappingByWordWidthsIsWrappingByLineWidths() {
        var random = SplitMix(seed: 11)
        for _ in 0..<1_500 {
            let text = random.text()
            for (face, size, width) in [(PDFFonts.regular, 8.5, 150.0), (PDFFonts.bold, 12, 60), (PDFFonts.regular, 7.5, 18)] {
                var expected = Self.wrapMeasuringLines(text, font: face, size: size, width: width)
                while expected.last?.isEmpty == true { expected.removeLast() }
                let lines = TextWrap.lines(text, font: face, size: size, width: width)
                XCTAssertEqual(lines.map { Array($0.unicodeScalars) }, expected.map { Array($0.unicodeScalars) }, text.debugDescription)
            }
        }
        let long = String(repeating: "W", count: 5_000)
        XCTAssertEqual(TextWrap.lines(long, font: PDFFonts.bold, size: 10, width: 250), Self.wrapMeasuringLines(long, font: PDFFonts.bold, size: 10, width: 250))
        let lines = TextWrap.lines(long, font: PDFFonts.bold, size: 10, width: 250)
        for line in lines {
            XCTAssertLessThanOrEqual(PDFFonts.bold.width(line, size: 10), 250)
            XCTAssertTrue(line == lines.last || PDFFonts.bold.width(line + "W", size: 10) > 250, "every line but the last is full")
        }
    }

    func testWarmAndColdCachesRenderTheSameBytes() throws {
        // A logo no other test uses: its first render parses it, the second finds it.
        let logo = InvoiceLogo(mediaType: .png, bytes: LogoFixtures.png(width: 23, height: 7, pixel: [17, 99, 201, 77], colorType: 6))
        XCTAssertFalse(InvoicePDFRenderer.images.contains(logo))
        let document = InvoiceFixtures.invoice(lines: 37, locale: .de, logo: logo)
        let cold = try renderer.render(document)
        XCTAssertTrue(InvoicePDFRenderer.images.contains(logo))
        let warm = try renderer.render(document)
        XCTAssertEqual(cold, warm)
        try PDFTools.assertValid(warm)

        // The identifier is the hash of everything before the trailer, however much of it was remembered.
        let marker = Array("trailer\n".utf8)
        let trailer = try XCTUnwrap((0...(warm.count - marker.count)).reversed().first { Array(warm[$0..<($0 + marker.count)]) == marker })
        let identifier = PDFHex.string(PDFFile.identifier(of: Array(warm[..<trailer])))
        let trailerText = String(decoding: warm[trailer...], as: UTF8.self)
        XCTAssertTrue(trailerText.contains("/ID [<\(identifier)> <\(identifier)>]"), trailerText)

        // Faces made afresh, with nothing worked out yet, embed the same objects.
        var fresh = PDFFile(), shipped = PDFFile()
        for face in faces {
            _ = PDFFont(face.font, resourceName: face.resourceName).embed(in: &fresh)
            _ = face.embed(in: &shipped)
        }
        XCTAssertEqual(fresh.bytes(root: 1, info: 1), shipped.bytes(root: 1, info: 1))
    }

    func testPageNumbersFillTheirLabels() {
        XCTAssertEqual(InvoiceLabels.of(.en).page(2, of: 13), "Page 2 of 13")
        XCTAssertEqual(InvoiceLabels.of(.de).page(1, of: 1), "Seite 1 von 1")
        var labels = InvoiceLabels.of(.it)
        labels.page = "{pages}/{page} {x} {page"
        XCTAssertEqual(labels.page(3, of: 4), "4/3 {x} {page")
    }

    func testASharedObjectHashesAsItsBytesWouldWhateverCameBefore() {
        let shared = PDFSharedObject(stream: [("Length1", .int(256))], (0..<256).map { UInt8($0) })
        for first in 0..<200 {
            var before = PDFFileIdentifier()
            before.add(ArraySlice([UInt8(first), 0x0A]))
            var direct = before
            direct.add(shared.bytes[...])
            XCTAssertEqual(shared.identifier(after: before), direct)
            XCTAssertEqual(shared.identifier(after: before), direct, "remembered")
        }
    }

    func testCharactersOutsideTheCommonSetAreComposedAndDrawn() throws {
        var document = InvoiceFixtures.invoice(lines: 2)
        // Decomposed letters, the Ångström and Kelvin signs (NFC turns them into Å and K), a letter the font lacks.
        document.buyer.name = "Zoe\u{308} \u{212B}ngstro\u{308}m \u{212A}elvin 李 Łódź"
        let glyphs = PDFFonts.bold.glyphs(document.buyer.name)
        XCTAssertEqual(glyphs, PDFFonts.bold.composedGlyphs("Zoë Ångström Kelvin ? Łódź"))
        XCTAssertTrue(glyphs.contains(PDFFonts.bold.font.glyph(for: "Å")!))
        let pdf = try renderer.render(document)
        try PDFTools.assertValid(pdf)
        XCTAssertTrue(try PDFTools.text(pdf).contains("Zoë Ångström Kelvin ? Łódź"))
    }

    func testConcurrentRendersGiveTheSerialBytes() throws {
        let documents = CustomerLocale.allCases.flatMap { locale in
            [InvoiceFixtures.invoice(lines: 3, locale: locale, logo: InvoiceLogo(mediaType: .png, bytes: LogoFixtures.transparentPNG)),
             InvoiceFixtures.invoice(lines: 70, locale: locale)]
        } + [InvoiceFixtures.creditNote(locale: .fr)]
        let expected = try documents.map { try renderer.render($0) }
        let results = Results(count: documents.count * 4)
        DispatchQueue.concurrentPerform(iterations: documents.count * 4) { index in
            results.set(index, try? InvoicePDFRenderer().render(documents[index % documents.count]))
        }
        for index in 0..<(documents.count * 4) {
            XCTAssertEqual(results.get(index), expected[index % documents.count], "render \(index)")
        }
    }

    func testTheLogoCacheIsBounded() throws {
        let cache = PDFImageCache(maximumEntries: 2, maximumBytes: 4_000)
        let logos = (1...3).map { InvoiceLogo(mediaType: .png, bytes: LogoFixtures.png(width: 4, height: 4, pixel: [UInt8($0), 2, 3])) }
        for logo in logos { _ = try cache.image(logo) }
        XCTAssertEqual(cache.count, 2)
        XCTAssertFalse(cache.contains(logos[0]))
        XCTAssertTrue(cache.contains(logos[2]))
        let large = InvoiceLogo(mediaType: .png, bytes: LogoFixtures.png(width: 40, height: 40, pixel: [9, 9, 9]))
        _ = try cache.image(large)
        XCTAssertFalse(cache.contains(large), "a logo over the byte budget is not kept")
        let broken = InvoiceLogo(mediaType: .png, bytes: Array("not a png".utf8))
        XCTAssertThrowsError(try cache.image(broken))
        XCTAssertFalse(cache.contains(broken))
        XCTAssertEqual(try cache.image(logos[2]).data, try PDFImage(logos[2]).data)
    }

    /// The wrapping rule measured the plain way: every candidate line and every prefix of a long word measured
    /// whole, through the general glyph path.
    static func wrapMeasuringLines(_ paragraph: String, font: PDFFont, size: Double, width: Double) -> [String] {
        func measure(_ text: Substring) -> Double { font.width(glyphs: font.composedGlyphs(text), size: size) }
        let words = paragraph.split(whereSeparator: { $0.isWhitespace || $0.unicodeScalars.allSatisfy { $0.properties.generalCategory == .control } })
        guard !words.isEmpty else { return [""] }
        var lines: [String] = []
        var line = ""
        for word in words {
            let candidate = line.isEmpty ? String(word) : line + " " + word
            if measure(candidate[...]) <= width {
                line = candidate
                continue
            }
            if !line.isEmpty { lines.append(line) }
            var rest = word
            while measure(rest) > width {
                var cut = rest.startIndex
                while cut < rest.endIndex, measure(rest[rest.startIndex...cut]) <= width { cut = rest.index(after: cut) }
                if cut == rest.startIndex { cut = rest.index(after: cut) }
                lines.append(String(rest[..<cut]))
                rest = rest[cut...]
            }
            line = String(rest)
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    /// Deterministic text from pieces of every kind: common scalars, decomposed letters, letters the font
    /// lacks, controls, format characters, long words.
    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }

        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }

        static let pieces = [
            "Crème", "brûlée", "ñandú", "Łódź", "—", "„Premium“", "12,50\u{00A0}€", "1\u{202F}234", "…", "•", "Zoë", "the", "a", "of",
            "o\u{301}", "e\u{301}\u{301}", "\u{212B}", "李", "😀", "ﬁ", "\u{1100}\u{1161}", "\u{00AD}", "a\u{200D}b", "\u{0}", "\u{7}", "\r\n",
            String(repeating: "x", count: 45), String(repeating: "W", count: 23), "Ünal" + String(repeating: "ő", count: 30), "\u{2028}",
        ]
        static let separators = [" ", " ", " ", "", "\t", "  ", "\n", "\u{00A0}"]

        mutating func text() -> String {
            (0..<(1 + next(14))).map { _ in Self.pieces[next(Self.pieces.count)] + Self.separators[next(Self.separators.count)] }.joined()
        }
    }

    /// Renders collected from several threads.
    final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [[UInt8]?]
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ value: [UInt8]?) { lock.withLock { values[index] = value } }
        func get(_ index: Int) -> [UInt8]? { lock.withLock { values[index] } }
    }
}
