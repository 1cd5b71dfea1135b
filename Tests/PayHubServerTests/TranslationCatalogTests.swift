import PayHubCore
@testable import PayHubServer
import XCTest

final class TranslationCatalogTests: XCTestCase {
    func testTheShippedCatalogSpeaksEveryLocaleWithTheSameKeysAndPlaceholders() throws {
        let catalog = try TranslationCatalog.bundled()
        XCTAssertGreaterThan(catalog.keys.count, 40)
        for locale in CustomerLocale.allCases {
            for key in catalog.keys {
                XCTAssertFalse(catalog.text(key, in: locale).isEmpty, "\(locale) \(key)")
            }
        }
        XCTAssertEqual(catalog.text("checkout.pay", in: .it, ["amount": "12,00 €"]), "Paga 12,00 €")
        XCTAssertEqual(catalog.text("checkout.pay", in: .de, ["amount": "12,00 €"]), "12,00 € bezahlen")
        XCTAssertNotEqual(catalog.text("result.succeeded.title", in: .fr), catalog.text("result.succeeded.title", in: .en))
    }

    func testACatalogWithAMissingKeyOrOtherPlaceholdersIsRefusedNamingIt() {
        let english = ["checkout.pay": "Pay {amount}", "checkout.total": "Total"]
        var texts = Dictionary(uniqueKeysWithValues: CustomerLocale.allCases.map { ($0, english) })
        texts[.it] = ["checkout.pay": "Paga {importo}", "checkout.total": "Totale"]
        XCTAssertThrowsError(try TranslationCatalog(texts: texts)) { error in
            XCTAssertEqual(String(describing: error), "translations it 'checkout.pay': placeholders differ from English")
        }
        texts[.it] = ["checkout.pay": "Paga {amount}"]
        XCTAssertThrowsError(try TranslationCatalog(texts: texts)) { error in
            XCTAssertEqual(String(describing: error), "translations it 'checkout.total': not translated")
        }
        texts[.it] = nil
        XCTAssertThrowsError(try TranslationCatalog(texts: texts))
    }

    func testAValueIsPutInItsPlaceOnceAndNeverReadAsAPlaceholder() throws {
        let english = ["line": "{amount} {every} at {amount}", "plain": "No placeholder"]
        let catalog = try TranslationCatalog(texts: Dictionary(uniqueKeysWithValues: CustomerLocale.allCases.map { ($0, english) }))
        XCTAssertEqual(catalog.text("line", in: .en, ["amount": "{every}", "every": "{amount}"]), "{every} {amount} at {every}")
        XCTAssertEqual(catalog.text("line", in: .en, ["amount": "€5"]), "€5 {every} at €5", "a placeholder without a value stays")
        XCTAssertEqual(catalog.text("plain", in: .en, ["amount": "€5"]), "No placeholder")
        XCTAssertEqual(catalog.text("line", in: .en), "{amount} {every} at {amount}")
    }
}
