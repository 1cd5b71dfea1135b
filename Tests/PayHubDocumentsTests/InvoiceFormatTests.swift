import XCTest
@testable import PayHubDocuments

final class InvoiceFormatTests: XCTestCase {
    func testEveryFormatHasItsOwnFileName() {
        let extensions = InvoiceFormat.allCases.map(\.fileExtension)
        XCTAssertEqual(Set(extensions).count, extensions.count)
        XCTAssertEqual(InvoiceFormat.pdf.mediaType, "application/pdf")
    }
}
