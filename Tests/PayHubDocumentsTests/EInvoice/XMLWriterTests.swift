import XCTest
@testable import PayHubDocuments

final class XMLWriterTests: XCTestCase {
    func testTextAndAttributesAreEscapedAndForbiddenCharactersRemoved() throws {
        var writer = XMLWriter()
        let hostile = "a<b>&c]]>\"d'\u{0}\u{8}\u{B}\u{1F}\u{7F}\u{85}\u{FFFE}\u{FFFF}\r\n\te€𝄞"
        writer.element("root", attributes: ["value": hostile]) { writer in
            writer.element("text", hostile)
            writer.element("empty", ifPresent: "")
            writer.element("none", ifPresent: nil)
        }
        let bytes = writer.bytes()
        let output = String(decoding: bytes, as: UTF8.self)
        XCTAssertFalse(output.contains("]]>"))
        XCTAssertFalse(output.contains("<empty") || output.contains("<none"))
        let parsed = try XCTUnwrap(ParsedXML(bytes), output)
        let kept = "a<b>&c]]>\"d'\r\n\te€𝄞"
        XCTAssertEqual(parsed.text("text"), kept)
        XCTAssertEqual(parsed.attributes["root"]?.first?["value"], kept, "attribute whitespace survives normalisation")
    }

    func testOneLineTextCollapsesWhitespaceAndDropsWhatXMLCannotHold() {
        XCTAssertEqual(EInvoiceText.line("  a\n\tb \u{0}\u{1B} c  "), "a b c")
        XCTAssertEqual(EInvoiceText.line("e\u{301}"), "é", "composed")
        XCTAssertNil(EInvoiceText.line("\u{1}\u{2} \n"))
        XCTAssertEqual(EInvoiceText.paragraph("one\r\n\n two \n"), "one\ntwo")
    }

    func testLatin1TransliteratesWhatItCanAndRefusesTheRest() {
        XCTAssertEqual(EInvoiceText.latin1("Łódź Œuvre ő ß Ñ ç"), "Lódz OEuvre o ß Ñ ç")
        XCTAssertEqual(EInvoiceText.latin1("“quoted” – 5 €…"), "\"quoted\" - 5 EUR...")
        XCTAssertNil(EInvoiceText.latin1("東京"))
        XCTAssertNil(EInvoiceText.latin1("🙏"))
    }

    func testTruncationCountsCharactersAndPrefersAWordBoundary() {
        XCTAssertEqual(EInvoiceText.truncated("short", to: 10), "short")
        XCTAssertEqual(EInvoiceText.truncated("Via Giuseppe Garibaldi 10", to: 24), "Via Giuseppe Garibaldi")
        XCTAssertEqual(EInvoiceText.truncated("Via Giuseppe Garibaldi", to: 20), "Via Giuseppe Garibal", "no space in the last fifth")
        XCTAssertEqual(EInvoiceText.truncated("Viacolnomelunghissimo", to: 10), "Viacolnome")
        XCTAssertEqual(EInvoiceText.truncated("ÀÈÌÒÙàèìòù", to: 4), "ÀÈÌÒ")
    }
}
