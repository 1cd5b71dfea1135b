import PayHubCore
import XCTest

final class CardNumberDetectorTests: XCTestCase {
    func testFindsCardNumbersOfEveryNetworkInAnyFormatting() {
        for pan in [
            "4242424242424242", "4242 4242 4242 4242", "4242-4242-4242-4242", "5555555555554444", "2223003122003222",
            "378282246310005", "6011111111111117", "3566002020360505", "30569309025904", "6200000000000005",
            "4000000000003220",
        ] {
            XCTAssertTrue(CardNumberDetector.containsCardNumber(pan), pan)
            XCTAssertTrue(CardNumberDetector.containsCardNumber("{\"note\": \"card \(pan) thanks\"}"), pan)
        }
    }

    func testIgnoresWhatIsNotACardNumber() {
        for text in [
            "4242424242424241", // fails Luhn
            "1234567890123452", // no network
            "+2250700000001", "1795380450", "424242424242", // too short
            "42424242424242424242", // too long
            "tok_visa", "", "2024-06-20",
        ] {
            XCTAssertFalse(CardNumberDetector.containsCardNumber(text), text)
        }
    }

    func testLuhn() {
        XCTAssertTrue(CardNumberDetector.passesLuhn([7, 9, 9, 2, 7, 3, 9, 8, 7, 1, 3]))
        XCTAssertFalse(CardNumberDetector.passesLuhn([7, 9, 9, 2, 7, 3, 9, 8, 7, 1, 4]))
    }
}
