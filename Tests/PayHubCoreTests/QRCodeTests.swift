import Foundation
@testable import PayHubCore
import XCTest

/// The encoder against segno (fixtures from Fixtures/make_qr_fixtures.py), the standard's worked values, and a real
/// decoder (zbarimg) when one is installed.
final class QRCodeTests: XCTestCase {
    func testSymbolsWithForcedVersionAndMaskMatchSegnoModuleForModule() throws {
        let fixtures = try QRFixture.forced()
        XCTAssertEqual(fixtures.count, 19, "every fixture file is read")
        XCTAssertEqual(Set(fixtures.map(\.mask)), Set(0...7))
        XCTAssertEqual(Set(fixtures.map(\.correction)), Set(QRErrorCorrection.allCases))
        for fixture in fixtures {
            let code = try QRCode.encode(bytes: Array(fixture.text.utf8), correction: fixture.correction,
                                         version: fixture.version, mask: QRMask(rawValue: fixture.mask))
            XCTAssertEqual(code.version, fixture.version, fixture.name)
            XCTAssertEqual(code.mask, fixture.mask, fixture.name)
            XCTAssertEqual(code.size, fixture.rows.count, fixture.name)
            for (y, expected) in fixture.rows.enumerated() where code.row(y) != expected {
                XCTFail("\(fixture.name): row \(y) is\n\(code.row(y))\nsegno has\n\(expected)")
                break
            }
        }
    }

    func testAutomaticVersionAndMaskAreSegnos() throws {
        let choices = try QRFixture.automatic()
        XCTAssertGreaterThan(choices.count, 200)
        XCTAssertGreaterThan(Set(choices.map(\.version)).count, 20, "the fixtures span many versions")
        XCTAssertEqual(Set(choices.map(\.mask)), Set(0...7), "and every mask")
        for choice in choices {
            let code = try QRCode.encode(choice.text, correction: choice.correction)
            XCTAssertEqual(code.version, choice.version, "\(choice.correction) \(choice.text.debugDescription)")
            XCTAssertEqual(code.mask, choice.mask, "\(choice.correction) \(choice.text.debugDescription)")
        }
    }

    /// Byte capacities from ISO/IEC 18004 Table 7: versions 1 and 40 at each level.
    func testPicksTheSmallestVersionThatHoldsTheBytes() throws {
        let capacities: [(QRErrorCorrection, version1: Int, version40: Int)] = [
            (.low, 17, 2953), (.medium, 14, 2331), (.quartile, 11, 1663), (.high, 7, 1273),
        ]
        for (correction, version1, version40) in capacities {
            XCTAssertEqual(try QRCode.encode(String(repeating: "a", count: version1), correction: correction).version, 1)
            XCTAssertEqual(try QRCode.encode(String(repeating: "a", count: version1 + 1), correction: correction).version, 2)
            XCTAssertEqual(try QRCode.encode(String(repeating: "a", count: version40), correction: correction).version, 40)
            XCTAssertThrowsError(try QRCode.encode(String(repeating: "a", count: version40 + 1), correction: correction)) { error in
                XCTAssertEqual(error as? QRCodeTooLong, QRCodeTooLong(byteCount: version40 + 1, maximumByteCount: version40, correction: correction))
            }
        }
        XCTAssertEqual(try QRCode.encode("").version, 1)
        XCTAssertEqual(try QRCode.encode("x").correction, .medium, "medium by default")
    }

    func testTooLongInputIsRefusedByItsUTF8Length() {
        // 778 × "€" is 2334 bytes: fewer characters than version 40-M holds, more bytes.
        XCTAssertThrowsError(try QRCode.encode(String(repeating: "€", count: 778))) { error in
            XCTAssertEqual(error as? QRCodeTooLong, QRCodeTooLong(byteCount: 2334, maximumByteCount: 2331, correction: .medium))
        }
        XCTAssertThrowsError(try QRCode.encode(String(repeating: "a", count: 1_000_000), correction: .low)) { error in
            XCTAssertEqual(error as? QRCodeTooLong, QRCodeTooLong(byteCount: 1_000_000, maximumByteCount: 2953, correction: .low))
        }
        XCTAssertThrowsError(try QRCode.encode(bytes: Array(repeating: 0x61, count: 15), correction: .medium, version: 1)) { error in
            XCTAssertEqual(error as? QRCodeTooLong, QRCodeTooLong(byteCount: 15, maximumByteCount: 14, correction: .medium))
        }
    }

    /// ISO/IEC 18004 Annex I: "01234567" at 1-M, its 16 data codewords and their 10 error correction codewords.
    func testReedSolomonGivesTheStandardsWorkedExample() {
        let data: [UInt8] = [0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11]
        XCTAssertEqual(ReedSolomon(ecCodewordCount: 10).remainder(of: data[...]),
                       [0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55])
    }

    /// ISO/IEC 18004 Annex C and D tables.
    func testFormatAndVersionInformationCarryTheirBCHCodes() {
        XCTAssertEqual(QRFormatInformation.formatBits(correction: .medium, mask: .checkerboard), 0b101010000010010)
        XCTAssertEqual(QRFormatInformation.formatBits(correction: .low, mask: .checkerboard), 0b111011111000100)
        XCTAssertEqual(QRFormatInformation.formatBits(correction: .quartile, mask: .evenRows), 0b011000001101000)
        XCTAssertEqual(QRFormatInformation.formatBits(correction: .high, mask: .mixedParity), 0b000100000111011)
        XCTAssertEqual(QRFormatInformation.versionBits(QRVersion(7)), 0x07C94)
        XCTAssertEqual(QRFormatInformation.versionBits(QRVersion(40)), 0x28C69)
    }

    func testUTF8TextIsStoredAsItsBytes() throws {
        let text = "pay €12,50 — café"
        let bytes = Array(text.utf8)
        XCTAssertEqual(bytes.count, 22)
        let code = try QRCode.encode(text)
        XCTAssertEqual(code.version, 2, "22 UTF-8 bytes: more than 1-M's 14, within 2-M's 26")
        let codewords = QRCodewords.dataCodewords(bytes: bytes, version: QRVersion(2), correction: .medium)
        XCTAssertEqual(codewords.count, 28)
        XCTAssertEqual(try QRByteSegment.read(codewords, countBits: 8), bytes)
        XCTAssertEqual(Array(codewords.suffix(2)), [0xEC, 0x11], "then the pad codewords")
    }

    func testOutsideTheSymbolIsLight() throws {
        let code = try QRCode.encode("x")
        XCTAssertTrue(code.isDark(x: 0, y: 0), "finder corner")
        XCTAssertFalse(code.isDark(x: -1, y: 0))
        XCTAssertFalse(code.isDark(x: 0, y: code.size))
    }

    func testSVGDrawsExactlyTheDarkModulesAndNothingActive() throws {
        let code = try QRCode.encode("payhub-sandbox://pay/sbx_py_qr_a_1796137175021_P5ZESEL5XSk9mIXc")
        let svg = code.svg(moduleSize: 3, quietZone: 2)
        let side = code.size + 4
        XCTAssertTrue(svg.hasPrefix(#"<svg xmlns="http://www.w3.org/2000/svg" width="\#(side * 3)" height="\#(side * 3)" viewBox="0 0 \#(side) \#(side)" shape-rendering="crispEdges">"#), svg)
        XCTAssertTrue(svg.contains(##"<rect width="\##(side)" height="\##(side)" fill="#fff"/>"##))
        XCTAssertTrue(svg.hasSuffix("</svg>"))
        XCTAssertEqual(svg.components(separatedBy: "<path").count, 2, "one path")
        for forbidden in ["script", "href", "style", "url(", "<!", "&", "<image", "<use", "<foreignobject"] {
            XCTAssertFalse(svg.lowercased().contains(forbidden), "no \(forbidden)")
        }
        XCTAssertNil(svg.range(of: #"\son\w+="#, options: .regularExpression), "no event handler")
        XCTAssertEqual(try QRSVGPath.darkModules(svg, quietZone: 2, size: code.size), code.darkModules)
        XCTAssertEqual(try QRSVGPath.darkModules(code.svg(), quietZone: 4, size: code.size), code.darkModules)
    }

    func testDecodesBackThroughZbar() throws {
        guard let zbar = Zbar.find() else {
            throw XCTSkip("zbarimg is not installed (Debian package zbar-tools): the round trip through a real decoder did not run")
        }
        let payloads: [(String, QRErrorCorrection)] = [
            ("payhub-sandbox://pay/sbx_py_qr_a_1796137175021_P5ZESEL5XSk9mIXc", .medium),
            ("pay €12,50 — café", .medium),
            ("https://payhub.example/checkout/cs_123?x=1&y=2", .low),
            ("A", .high),
            (String((0..<600).map { Character(UnicodeScalar(UInt8(33 + $0 * 7 % 94))) }), .quartile),
        ]
        for (text, correction) in payloads {
            let code = try QRCode.encode(text, correction: correction)
            XCTAssertEqual(try zbar.decode(code), text, "\(code.version)-\(correction) mask \(code.mask)")
        }
    }
}
