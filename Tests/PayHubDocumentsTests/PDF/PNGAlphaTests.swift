import XCTest
import PayHubCore
@testable import PayHubDocuments

/// PNG logos with an alpha channel: the inflater and the filters against Pillow's output, the soft mask in the
/// rendered page, and the limits.
final class PNGAlphaTests: XCTestCase {
    private func idat(_ png: [UInt8]) -> [UInt8] {
        var position = 8, data: [UInt8] = []
        while position + 8 <= png.count {
            let length = Int(png[position]) << 24 | Int(png[position + 1]) << 16 | Int(png[position + 2]) << 8 | Int(png[position + 3])
            if String(decoding: png[(position + 4)..<(position + 8)], as: UTF8.self) == "IDAT" { data += png[(position + 8)..<(position + 8 + length)] }
            position += 12 + length
        }
        return data
    }

    func testPillowsRGBAPixelsDecodeExactly() throws {
        let (colors, alpha) = try PNGAlpha.split(compressed: idat(LogoFixtures.transparentPNG), width: 120, height: 40, colors: 3)
        XCTAssertEqual(colors.count, 120 * 40 * 3)
        func pixel(_ x: Int, _ y: Int) -> [UInt8] { Array(colors[(3 * (y * 120 + x))..<(3 * (y * 120 + x) + 3)]) + [alpha[y * 120 + x]] }
        XCTAssertEqual(pixel(15, 20), [200, 40, 30, 255])
        XCTAssertEqual(pixel(76, 20), [20, 120, 60, 255])
        XCTAssertEqual(pixel(50, 20)[3], 0)
        XCTAssertEqual(pixel(110, 30), [0, 0, 0, 128])
        let (gray, grayAlpha) = try PNGAlpha.split(compressed: idat(LogoFixtures.grayAlphaPNG), width: 120, height: 40, colors: 1)
        XCTAssertEqual(gray.count, 4_800)
        XCTAssertEqual(grayAlpha, alpha)
        let luminance: Int = (200 * 299 + 40 * 587 + 30 * 114) / 1000  // Pillow's "L" conversion (ITU-R 601-2)
        XCTAssertEqual(Int(gray[20 * 120 + 15]), luminance, accuracy: 1)
    }

    func testStoredBlocksAndEveryFilterType() throws {
        // A stored-block RGBA PNG (filter None) and a hand-filtered row of each type decode to the same pixels.
        let png = LogoFixtures.png(width: 3, height: 2, pixel: [10, 20, 30, 40], colorType: 6)
        let (colors, alpha) = try PNGAlpha.split(compressed: idat(png), width: 3, height: 2, colors: 3)
        let expected: [UInt8] = Array((0..<6).map { _ in [UInt8(10), 20, 30] }.joined())
        XCTAssertEqual(colors, expected)
        XCTAssertEqual(alpha, [40, 40, 40, 40, 40, 40])
        let previous: [UInt8] = [100, 150, 200, 250]
        let target: [UInt8] = [110, 160, 210, 5]
        for filter: UInt8 in 0...4 {
            var line = target.indices.map { index -> UInt8 in
                let left = index >= 2 ? Int(target[index - 2]) : 0, up = Int(previous[index]), upLeft = index >= 2 ? Int(previous[index - 2]) : 0
                let estimate = left + up - upLeft
                let paeth = abs(estimate - left) <= abs(estimate - up) && abs(estimate - left) <= abs(estimate - upLeft) ? left : (abs(estimate - up) <= abs(estimate - upLeft) ? up : upLeft)
                let predictor = [0, left, up, (left + up) / 2, paeth][Int(filter)]
                return UInt8(truncatingIfNeeded: Int(target[index]) - predictor)
            }
            try PNGAlpha.unfilter(&line, previous: previous, filter: filter, bytesPerPixel: 2)
            XCTAssertEqual(line, target, "filter \(filter)")
        }
        var line: [UInt8] = [1]
        XCTAssertThrowsError(try PNGAlpha.unfilter(&line, previous: [0], filter: 5, bytesPerPixel: 1))
    }

    func testFixedHuffmanBlocks() throws {
        // Python's zlib with strategy Z_FIXED (block type 1) over a text with repeats.
        let stream: [UInt8] = [120, 1, 11, 72, 172, 244, 40, 77, 82, 8, 64, 161, 50, 243, 202, 242, 51, 147, 83, 21, 24, 24, 153, 224, 108, 40, 13, 0, 144, 0, 16, 102]
        XCTAssertEqual(try Inflate.zlib(stream, maximumOutput: 1_000), Array("PayHub PayHub PayHub invoice \u{0}\u{1}\u{2} invoice invoice".utf8))
    }

    func testRunLengthEncodingRoundTrips() {
        let data: [UInt8] = [1, 2, 3] + [UInt8](repeating: 7, count: 300) + [9] + Array((0..<200).map { UInt8($0 % 251) })
        let encoded = PNGAlpha.runLength(data)
        XCTAssertEqual(encoded.last, 128)
        var decoded: [UInt8] = [], index = 0
        while encoded[index] != 128 {
            let length = Int(encoded[index])
            if length < 128 {
                decoded += encoded[(index + 1)...(index + 1 + length)]
                index += length + 2
            } else {
                decoded += [UInt8](repeating: encoded[index + 1], count: 257 - length)
                index += 2
            }
        }
        XCTAssertEqual(decoded, data)
        XCTAssertLessThan(encoded.count, data.count)
    }

    func testTheSoftMaskShowsThePageThrough() throws {
        let pdf = try InvoicePDFRenderer().render(InvoiceFixtures.invoice(lines: 2, logo: InvoiceLogo(mediaType: .png, bytes: LogoFixtures.transparentPNG)))
        try PDFTools.assertValid(pdf)
        let images = try PDFTools.run("pdfimages", ["-list", "{pdf}"], pdf: pdf).output
        XCTAssertNotNil(images.range(of: #"image\s+120\s+40\s+rgb\s+3\s+8\s+image"#, options: .regularExpression), images)
        XCTAssertNotNil(images.range(of: #"smask\s+120\s+40\s+gray\s+1\s+8\s+image"#, options: .regularExpression), images)
        // Drawn at 160/120 scale from (50, 48): image (15, 20) → (70, 75), (50, 20) → (117, 75), (76, 20) → (151, 75).
        for (point, expected) in [((70, 75), [200, 40, 30]), ((117, 75), [255, 255, 255]), ((151, 75), [20, 120, 60]), ((190, 90), [128, 128, 128])] {
            let pixel = try PDFTools.pixel(pdf, x: point.0, y: point.1)
            for (channel, want) in zip(pixel, expected) { XCTAssertEqual(channel, want, accuracy: 6, "at \(point): \(pixel)") }
        }
    }

    func testOversizedOrBrokenAlphaPNGsAreRefused() {
        let huge = LogoFixtures.png(width: 1, height: 1, pixel: [0, 0, 0, 0], colorType: 6)
        // Claim 2,100 × 2,100 pixels: more than 16 MB decoded, refused before inflating anything.
        var claimed = huge
        let header = LogoFixtures.chunk("IHDR", LogoFixtures.be32(2_100) + LogoFixtures.be32(2_100) + [8, 6, 0, 0, 0])
        claimed.replaceSubrange(8..<(8 + 25), with: header)
        XCTAssertThrowsError(try InvoicePDFRenderer.checkLogo(InvoiceLogo(mediaType: .png, bytes: claimed))) { error in
            XCTAssertTrue((error as? InvoiceExportRefused)?.message.contains("16 MB") == true, "\(error)")
        }
        // A stream that ends early.
        var truncated = LogoFixtures.transparentPNG
        let idatStart = truncated.indices.first { truncated[$0] == 0x49 && truncated[$0 + 1] == 0x44 && truncated[$0 + 2] == 0x41 && truncated[$0 + 3] == 0x54 }!
        truncated.replaceSubrange((idatStart + 20)..<(idatStart + 60), with: [UInt8](repeating: 0xFF, count: 40))
        XCTAssertThrowsError(try InvoicePDFRenderer.checkLogo(InvoiceLogo(mediaType: .png, bytes: truncated)))
        XCTAssertThrowsError(try Inflate.zlib([0x78, 0x9C, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], maximumOutput: 100))
        XCTAssertThrowsError(try Inflate.zlib(LogoFixtures.zlibStored([UInt8](repeating: 1, count: 1_000)), maximumOutput: 999)) { error in
            XCTAssertEqual(error as? Inflate.Failure, .tooLarge)
        }
    }
}
