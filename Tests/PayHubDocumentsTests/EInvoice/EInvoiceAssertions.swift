import PayHubCore
import XCTest
@testable import PayHubDocuments

extension XCTestCase {
    /// Renders `document`, has the format's published validator check it, and reads it back.
    func assertValid(_ renderer: any InvoiceRenderer, _ document: InvoiceDocument, file: StaticString = #filePath, line: UInt = #line) throws -> ParsedXML {
        let bytes = try renderer.render(document)
        let result = switch renderer.format {
        case .ubl: try EInvoiceValidators.peppol(bytes)
        case .fatturapa: try EInvoiceValidators.fatturaPA(bytes)
        case .pdf: throw XCTSkip("not an e-invoice")
        }
        XCTAssertTrue(result.passed, "\(renderer.format) validator:\n\(result.output)\n\(String(decoding: bytes, as: UTF8.self))", file: file, line: line)
        return try XCTUnwrap(ParsedXML(bytes), "not well-formed", file: file, line: line)
    }

    /// The document is refused by `renderer`'s format, naming `field`.
    func assertRefused(_ renderer: any InvoiceRenderer, _ document: InvoiceDocument, field: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try renderer.render(document), file: file, line: line) { error in
            guard let refused = error as? InvoiceExportRefused else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(refused.format, renderer.format, file: file, line: line)
            XCTAssertEqual(refused.field, field, refused.message, file: file, line: line)
            XCTAssertFalse(refused.message.isEmpty, file: file, line: line)
        }
    }
}
