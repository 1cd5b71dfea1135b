@testable import PayHubConnectors
import XCTest

final class StripeFormEncoderTests: XCTestCase {
    func testEncodingKeepsOrderAndEscapesReservedBytes() {
        var form = StripeForm()
        form.add("amount", 2000)
        form.add("skipped", nil)
        form.add("description", "a b&c=d+é/~")
        form.add("metadata", dictionary: ["z": "1", "a": "2"])
        XCTAssertEqual(
            String(decoding: form.encoded(), as: UTF8.self),
            "amount=2000&description=a%20b%26c%3Dd%2B%C3%A9%2F~&metadata%5Ba%5D=2&metadata%5Bz%5D=1")
    }

    func testEmptyForm() {
        XCTAssertTrue(StripeForm().isEmpty)
        XCTAssertEqual(StripeForm().encoded(), [])
    }
}
