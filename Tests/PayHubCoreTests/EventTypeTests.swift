import PayHubCore
import XCTest

final class EventTypeTests: XCTestCase {
    func testFilters() {
        XCTAssertTrue(EventType.refundFailed.matches(filter: "*"))
        XCTAssertTrue(EventType.refundFailed.matches(filter: "refund.*"))
        XCTAssertTrue(EventType.refundFailed.matches(filter: "refund.failed"))
        XCTAssertFalse(EventType.refundFailed.matches(filter: "payment_intent.*"))
        XCTAssertFalse(EventType.refundFailed.matches(filter: "refund.succeeded"))
        XCTAssertTrue(EventType.isValidFilter("payment_intent.*"))
        XCTAssertFalse(EventType.isValidFilter("charge.*"))
        XCTAssertFalse(EventType.isValidFilter("refund"))
    }

    func testIdentifiersAreTypedAndValidated() {
        let ids = SecureRandomIDGenerator()
        let id: PaymentIntentID = ids.make()
        XCTAssertTrue(id.rawValue.hasPrefix("pi_"))
        XCTAssertEqual(id.rawValue.count, 27)
        XCTAssertNotEqual(id, ids.make())
        XCTAssertNotNil(PaymentIntentID(validating: id.rawValue))
        XCTAssertNil(PaymentIntentID(validating: "re_abc"))
        XCTAssertNil(PaymentIntentID(validating: "pi_"))
        XCTAssertNil(PaymentIntentID(validating: "pi_a'b"))
    }
}
