import PayHubCore
import XCTest

final class MoneyTests: XCTestCase {
    func testCurrenciesCarryTheirRealExponents() throws {
        XCTAssertEqual(try Currency(code: "EUR").exponent, 2)
        XCTAssertEqual(try Currency(code: "jpy").exponent, 0)
        XCTAssertEqual(try Currency(code: "BHD").exponent, 3)
        XCTAssertEqual(try Currency(code: "XOF").exponent, 0)
        XCTAssertEqual(try Currency(code: "CLF").exponent, 4)
        XCTAssertEqual(try Currency(code: "usd").code, "USD")
    }

    func testUnknownCurrencyIsRefused() {
        XCTAssertThrowsError(try Currency(code: "XYZ")) { XCTAssertEqual($0 as? MoneyError, .unknownCurrency("XYZ")) }
        XCTAssertThrowsError(try Currency(code: "")) { XCTAssertEqual($0 as? MoneyError, .unknownCurrency("")) }
        XCTAssertThrowsError(try Currency(code: "EURO"))
    }

    func testChargeableAmountsArePositiveAndBounded() throws {
        XCTAssertEqual(try Money.chargeable(amount: 1, currencyCode: "EUR").minorUnits, 1)
        XCTAssertThrowsError(try Money.chargeable(amount: 0, currencyCode: "EUR")) { XCTAssertEqual($0 as? MoneyError, .notPositive(0)) }
        XCTAssertThrowsError(try Money.chargeable(amount: -5, currencyCode: "EUR")) { XCTAssertEqual($0 as? MoneyError, .notPositive(-5)) }
        XCTAssertThrowsError(try Money.chargeable(amount: 1001, currencyCode: "EUR", maximum: 1000)) {
            XCTAssertEqual($0 as? MoneyError, .aboveMaximum(1001, maximum: 1000))
        }
        XCTAssertEqual(try Money.chargeable(amount: 1000, currencyCode: "EUR", maximum: 1000).minorUnits, 1000)
    }

    func testDescriptionUsesTheExponentWithoutFloatingPoint() throws {
        XCTAssertEqual(Money(minorUnits: 1250, currency: try Currency(code: "EUR")).description, "12.50 EUR")
        XCTAssertEqual(Money(minorUnits: 5, currency: try Currency(code: "EUR")).description, "0.05 EUR")
        XCTAssertEqual(Money(minorUnits: 1000, currency: try Currency(code: "JPY")).description, "1000 JPY")
        XCTAssertEqual(Money(minorUnits: 1005, currency: try Currency(code: "BHD")).description, "1.005 BHD")
        XCTAssertEqual(Money.decimalString(-1, exponent: 2), "-0.01")
        XCTAssertEqual(Money.decimalString(Int64.max, exponent: 2), "92233720368547758.07")
    }
}
