import Foundation
@testable import PayHubCore
import XCTest

final class LocalizationTests: XCTestCase {
    func testALanguageTagGivesItsPrimaryLanguageWhenPayHubSpeaksIt() {
        XCTAssertEqual(CustomerLocale(tag: "it"), .it)
        XCTAssertEqual(CustomerLocale(tag: "it-IT"), .it)
        XCTAssertEqual(CustomerLocale(tag: "fr_CI"), .fr)
        XCTAssertEqual(CustomerLocale(tag: "DE"), .de)
        XCTAssertNil(CustomerLocale(tag: "pt-BR"), "a language PayHub does not speak")
        XCTAssertNil(CustomerLocale(tag: String(repeating: "e", count: 40)), "overlong")
        XCTAssertNil(CustomerLocale(tag: "en<script>"))
        XCTAssertNil(CustomerLocale(tag: ""))
    }

    func testTheSessionsLocaleThenTheBrowsersThenTheMerchantsDefault() {
        XCTAssertEqual(CustomerLocale.negotiate(requested: "es", acceptLanguage: "it", merchantDefault: .en), .es)
        XCTAssertEqual(CustomerLocale.negotiate(requested: "auto", acceptLanguage: "it-IT,it;q=0.9,en;q=0.8", merchantDefault: .en), .it)
        XCTAssertEqual(CustomerLocale.negotiate(requested: nil, acceptLanguage: "pt-BR, de;q=0.5, fr;q=0.7", merchantDefault: .en), .fr)
        XCTAssertEqual(CustomerLocale.negotiate(requested: "xx", acceptLanguage: "pt, ja", merchantDefault: .de), .de)
        XCTAssertEqual(CustomerLocale.negotiate(requested: nil, acceptLanguage: "it;q=0, es", merchantDefault: .en), .es, "q=0 means not this one")
        XCTAssertEqual(CustomerLocale.negotiate(requested: nil, acceptLanguage: "en;q=abc, de", merchantDefault: .fr), .de)
        XCTAssertEqual(CustomerLocale.negotiate(requested: nil, acceptLanguage: nil, merchantDefault: .it), .it)
    }

    private func money(_ minor: Int64, _ code: String) throws -> Money {
        Money(minorUnits: minor, currency: try Currency(code: code))
    }

    func testAmountsInEachLocaleWithTheCurrencysExponent() throws {
        let amount = try money(123_456, "EUR")
        XCTAssertEqual(LocalizedMoney.format(amount, in: .en), "€1,234.56")
        XCTAssertEqual(LocalizedMoney.format(amount, in: .it), "1.234,56\u{00A0}€")
        XCTAssertEqual(LocalizedMoney.format(amount, in: .de), "1.234,56\u{00A0}€")
        XCTAssertEqual(LocalizedMoney.format(amount, in: .fr), "1\u{202F}234,56\u{00A0}€")
        XCTAssertEqual(LocalizedMoney.format(amount, in: .es), "1234,56\u{00A0}€", "Spanish groups from five digits")
        XCTAssertEqual(LocalizedMoney.format(try money(1_234_567, "EUR"), in: .es), "12.345,67\u{00A0}€")
        XCTAssertEqual(LocalizedMoney.format(try money(5, "EUR"), in: .en), "€0.05")
        XCTAssertEqual(LocalizedMoney.format(try money(1500, "JPY"), in: .en), "¥1,500", "no minor digits")
        XCTAssertEqual(LocalizedMoney.format(try money(1500, "XOF"), in: .fr), "1\u{202F}500\u{00A0}F\u{00A0}CFA")
        XCTAssertEqual(LocalizedMoney.format(try money(1_234_567, "KWD"), in: .en), "KWD\u{00A0}1,234.567", "three digits, the ISO code, spaced")
        XCTAssertEqual(LocalizedMoney.format(try money(15_000, "XOF"), in: .en), "F\u{00A0}CFA\u{00A0}15,000")
        XCTAssertEqual(LocalizedMoney.format(try money(1250, "CHF"), in: .en), "CHF\u{00A0}12.50")
        XCTAssertEqual(LocalizedMoney.format(try money(-250, "USD"), in: .en), "-$2.50")
        XCTAssertEqual(LocalizedMoney.format(try money(Int64.max, "EUR"), in: .en), "€92,233,720,368,547,758.07")
    }

    func testDatesInEachLocale() {
        let date = Date(timeIntervalSince1970: 1_796_083_200)  // 2026-12-01T00:00:00Z
        XCTAssertEqual(LocalizedDate.format(date, in: .en), "1 December 2026")
        XCTAssertEqual(LocalizedDate.format(date, in: .it), "1 dicembre 2026")
        XCTAssertEqual(LocalizedDate.format(date, in: .fr), "1er décembre 2026")
        XCTAssertEqual(LocalizedDate.format(date, in: .de), "1. Dezember 2026")
        XCTAssertEqual(LocalizedDate.format(date, in: .es), "1 de diciembre de 2026")
        XCTAssertEqual(LocalizedDate.format(date, in: .en, secondsFromUTC: -3600), "30 November 2026", "in the given offset")
        XCTAssertEqual(LocalizedDate.format(date.addingTimeInterval(86_400 * 14), in: .fr), "15 décembre 2026")
    }
}
