import PayHubCore
import XCTest

final class PhoneCountryTests: XCTestCase {
    func testInternationalNumbersGiveTheirCountry() {
        XCTAssertEqual(PhoneCountry.of("+2250700000001"), "CI")
        XCTAssertEqual(PhoneCountry.of("002210700000001"), "SN")
        XCTAssertEqual(PhoneCountry.of("+201001234567"), "EG")
        XCTAssertEqual(PhoneCountry.of("+27821234567"), "ZA")
    }

    func testLocalUnknownOrMalformedNumbersGiveNone() {
        XCTAssertNil(PhoneCountry.of("0700000001"))
        XCTAssertNil(PhoneCountry.of("+1555000000"))
        XCTAssertNil(PhoneCountry.of("+22a0700000001"))
        XCTAssertNil(PhoneCountry.of("+225"))
        XCTAssertNil(PhoneCountry.of(""))
    }
}
