import Foundation
import XCTest
@testable import PayHubDocuments

/// The writer's own rules, without external tools: exact cross-reference offsets, escaping, numbers.
final class PDFWriterTests: XCTestCase {
    func testEveryCrossReferenceOffsetPointsAtItsObject() throws {
        let pdf = try InvoicePDFRenderer().render(InvoiceFixtures.invoice(lines: 60))
        let text = String(decoding: pdf, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("%PDF-1.7\n"))
        XCTAssertTrue(text.hasSuffix("%%EOF\n"))
        let tail = try XCTUnwrap(text.range(of: "startxref\n", options: .backwards))
        let xref = try XCTUnwrap(Int(text[tail.upperBound...].prefix(while: \.isNumber)))
        XCTAssertEqual(Array(pdf[xref..<(xref + 5)]), Array("xref\n".utf8))
        // "0 N" then one 20-byte entry per object.
        let header = String(decoding: pdf[(xref + 5)...].prefix(while: { $0 != 0x0A }), as: UTF8.self)
        let count = try XCTUnwrap(Int(header.split(separator: " ")[1]))
        XCTAssertGreaterThan(count, 10)
        var entry = xref + 5 + header.utf8.count + 1
        XCTAssertEqual(String(decoding: pdf[entry..<(entry + 20)], as: UTF8.self), "0000000000 65535 f\r\n")
        for number in 1..<count {
            entry += 20
            let line = String(decoding: pdf[entry..<(entry + 20)], as: UTF8.self)
            XCTAssertTrue(line.hasSuffix(" 00000 n\r\n"), line)
            let offset = try XCTUnwrap(Int(line.prefix(10)))
            let opening = Array("\(number) 0 obj\n".utf8)
            XCTAssertEqual(Array(pdf[offset..<(offset + opening.count)]), opening, "object \(number)")
        }
        XCTAssertTrue(text.contains("/Size \(count) "))
    }

    func testNamesEscapeDelimitersAndNumbersHaveNoExponent() {
        XCTAssertEqual(String(decoding: PDFName.encode("A B/(#)"), as: UTF8.self), "/A#20B#2F#28#23#29")
        XCTAssertEqual(PDFNumber.format(595.28), "595.28")
        XCTAssertEqual(PDFNumber.format(-0.001), "0")
        XCTAssertEqual(PDFNumber.format(1e-9), "0")
        XCTAssertEqual(PDFNumber.format(12.5), "12.5")
        XCTAssertEqual(PDFNumber.format(3.05), "3.05")
        XCTAssertEqual(PDFNumber.format(-7), "-7")
        XCTAssertEqual(PDFNumber.format(.nan), "0")
        var out: [UInt8] = []
        PDFObject.text("a(b)").write(to: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "<FEFF0061002800620029>")
    }

    func testAMissingToolSkipsWithItsPackageNamed() {
        guard ProcessInfo.processInfo.environment["PAYHUB_REQUIRE_PDF_TOOLS"] == nil else { return }
        XCTAssertThrowsError(try PDFTools.path("pdf-tool-that-is-not-there")) { error in
            XCTAssertTrue(error is XCTSkip)
            XCTAssertTrue("\(error)".contains("apt-get install poppler-utils"), "\(error)")
        }
    }
}
