import PayHubCore
import XCTest
@testable import PayHubDocuments

/// Every document a format cannot express is refused with the field at fault, never exported broken; the
/// boundaries of what is accepted are checked with the real validators.
final class EInvoiceRefusalTests: XCTestCase {
    private typealias F = EInvoiceFixtures

    private func item(_ description: String, _ unitAmount: Int64, _ rate: VATRate) -> InvoiceLineItem {
        InvoiceLineItem(description: description, quantity: 1, unitAmount: unitAmount, vatRate: rate, amountIncludesVAT: false)
    }

    private func item(_ unitAmount: Int64, _ rate: VATRate) -> InvoiceLineItem { item("Item", unitAmount, rate) }

    private func with<T>(_ value: T, _ change: (inout T) -> Void) -> T {
        var copy = value
        change(&copy)
        return copy
    }

    // MARK: - UBL

    func testUBLRefusesPartiesItCannotIdentify() {
        let ubl = UBLInvoiceRenderer()
        assertRefused(ubl, F.invoice(seller: with(F.seller) { $0.vatID = nil }), field: "seller.vat_id")
        assertRefused(ubl, F.invoice(seller: with(F.seller) { $0.vatID = "IT 01234567897" }), field: "seller.vat_id")
        assertRefused(ubl, F.invoice(seller: with(F.seller) { $0.name = "\u{1}\u{2} \n" }), field: "seller.name")
        assertRefused(ubl, F.invoice(seller: with(F.seller) { $0.electronicAddress = ElectronicAddress(scheme: "0211x", identifier: "IT1") }), field: "seller.electronic_address.scheme")
        assertRefused(ubl, F.invoice(buyer: with(F.companyBuyer) { $0.electronicAddress = ElectronicAddress(scheme: "9930", identifier: "DE 123") }), field: "buyer.electronic_address.identifier")
        assertRefused(ubl, F.invoice(buyer: with(F.companyBuyer) { $0.electronicAddress = nil; $0.email = nil }), field: "buyer.electronic_address")
        assertRefused(ubl, F.invoice(buyer: with(F.companyBuyer) { $0.electronicAddress = nil; $0.email = "not an email" }), field: "buyer.electronic_address")
        assertRefused(ubl, F.invoice(buyer: with(F.companyBuyer) { $0.address = nil }), field: "buyer.address")
        assertRefused(ubl, F.invoice(buyer: with(F.companyBuyer) { $0.address?.countryCode = "de" }), field: "buyer.address.country_code")
    }

    func testUBLRefusesDocumentsItCannotExpress() {
        let ubl = UBLInvoiceRenderer()
        assertRefused(ubl, with(F.creditNote()) { $0.creditedInvoice = nil }, field: "credited_invoice")
        assertRefused(ubl, with(F.invoice()) { $0.number = "2026-\n1" }, field: "number")
        assertRefused(ubl, F.invoice(items: [item("\u{7}", 100, F.rate(2_200))]), field: "amounts.lines[0].description")
        // Out of scope of VAT cannot be mixed with other categories (BR-O-11), and needs a legal registration id.
        let outOfScope = F.rate(0, .outOfScope)
        assertRefused(ubl, F.invoice(items: [item(1_000, outOfScope), item(1_000, F.rate(2_200))]), field: "amounts.lines")
        assertRefused(ubl, F.invoice(items: [item(1_000, outOfScope)], seller: with(F.seller) { $0.taxCode = nil }), field: "seller.tax_code")
        // One breakdown per exempt category: two reasons cannot be merged (BR-E-01).
        let exemptA = F.rate(0, .exempt, reason: "Art. 10 n. 18"), exemptB = F.rate(0, .exempt, reason: "Art. 10 n. 20")
        assertRefused(ubl, F.invoice(items: [item(1_000, exemptA), item(1_000, exemptB)]), field: "amounts.lines")
        // Reverse charge names the buyer (BR-AE-02).
        let reverse = F.rate(0, .reverseCharge, reason: "Reverse charge")
        assertRefused(ubl, F.invoice(buyer: with(F.companyBuyer) { $0.vatID = nil }, items: [item(1_000, reverse)]), field: "buyer.vat_id")
    }

    func testUBLWritesOutOfScopeAndReverseChargeAsPeppolWantsThem() throws {
        let ubl = UBLInvoiceRenderer()
        let outOfScope = try ubl.render(F.invoice(items: [item(1_000, F.rate(0, .outOfScope))]))
        let checked = try EInvoiceValidators.peppol(outOfScope)
        XCTAssertTrue(checked.passed, checked.output)
        let parsed = try XCTUnwrap(ParsedXML(outOfScope))
        XCTAssertNil(parsed.text("cac:PartyTaxScheme"), "no VAT identifiers outside the scope of VAT (BR-O-02)")
        XCTAssertNil(parsed.text("cbc:Percent"))
        XCTAssertEqual(parsed.text("cbc:TaxExemptionReasonCode"), "VATEX-EU-O")

        let reverse = try ubl.render(F.invoice(items: [item(1_000, F.rate(0, .reverseCharge, reason: "Reverse charge"))]))
        let reverseChecked = try EInvoiceValidators.peppol(reverse)
        XCTAssertTrue(reverseChecked.passed, reverseChecked.output)
        XCTAssertEqual(ParsedXML(reverse)?.text("cbc:TaxExemptionReasonCode"), "VATEX-EU-AE")
    }

    /// BR-CO-17: VAT per rate = taxable × rate, rounded, within 0.01. PayHub rounds per line, so that n lines at
    /// one rate can drift by up to n/2 cents: 0.05 at 10 % is 0.01 VAT per line (0.005 rounded half up).
    func testManySmallLinesAtOneRateAreRefusedWhenTheirRoundingBreaksBRCO17() throws {
        let ubl = UBLInvoiceRenderer()
        let tenPercent = F.rate(1_000)
        // 3 lines: VAT 0.03, 0.15 × 10 % = 0.015 → 0.02: within the tolerance, and the validator agrees.
        let three = try ubl.render(F.invoice(items: (1...3).map { item("Sticker \($0)", 5, tenPercent) }))
        let checked = try EInvoiceValidators.peppol(three)
        XCTAssertTrue(checked.passed, checked.output)
        // 4 lines: VAT 0.04, 0.20 × 10 % = 0.02: refused, the VAT charged is not rewritten.
        let four = F.invoice(items: (1...4).map { item("Sticker \($0)", 5, tenPercent) })
        assertRefused(ubl, four, field: "amounts.subtotals")
        // Written anyway, the validator rejects it for BR-CO-17: the refusal is not stricter than the rule.
        var unguarded = UBLInvoiceRenderer()
        unguarded.roundingToleranceHundredths = .max
        let rejected = try EInvoiceValidators.peppol(try unguarded.render(four))
        XCTAssertFalse(rejected.passed)
        XCTAssertTrue(rejected.output.contains("BR-CO-17"), rejected.output)

        // Yen: the rule rounds to 0.01 JPY, so that ¥1,234 at 10 % (VAT ¥123 against ¥123.40) cannot be expressed.
        assertRefused(ubl, F.invoice(items: [item(1_234, tenPercent)], currency: "JPY"), field: "amounts.subtotals")
        // FatturaPA's tolerance is one euro: the same four lines are fine there.
        XCTAssertNoThrow(try FatturaPARenderer().render(four))
    }

    // MARK: - FatturaPA

    func testFatturaPAIsForItalianSellersOnly() {
        let fattura = FatturaPARenderer()
        assertRefused(fattura, F.invoice(seller: with(F.seller) { $0.vatID = nil }), field: "seller.vat_id")
        assertRefused(fattura, F.invoice(seller: with(F.seller) { $0.vatID = "DE123456789" }), field: "seller.vat_id")
        assertRefused(fattura, F.invoice(seller: with(F.seller) { $0.vatID = "IT0123456789" }), field: "seller.vat_id")
        assertRefused(fattura, F.invoice(seller: with(F.seller) { $0.address?.countryCode = "FR"; $0.address?.postalCode = "75001" }), field: "seller.address.country_code")
        assertRefused(fattura, F.invoice(seller: with(F.seller) { $0.fiscalRegime = nil }), field: "seller.fiscal_regime")
        assertRefused(fattura, F.invoice(seller: with(F.seller) { $0.fiscalRegime = "RF03" }), field: "seller.fiscal_regime")
        assertRefused(fattura, F.invoice(seller: with(F.seller) { $0.taxCode = "0123-456" }), field: "seller.tax_code")
        assertRefused(fattura, F.invoice(seller: with(F.seller) { $0.address?.postalCode = "2012" }), field: "seller.address.postal_code")
        assertRefused(fattura, F.invoice(seller: with(F.seller) { $0.address?.postalCode = nil }), field: "seller.address.postal_code")
        assertRefused(fattura, F.invoice(seller: with(F.seller) { $0.address?.lines = [] }), field: "seller.address.lines")
    }

    func testFatturaPARefusesBuyersItCannotIdentify() {
        let fattura = FatturaPARenderer()
        let privateBuyer = F.privateBuyer
        assertRefused(fattura, F.invoice(buyer: with(privateBuyer) { $0.taxCode = nil }), field: "buyer.tax_code")
        assertRefused(fattura, F.invoice(buyer: with(privateBuyer) { $0.taxCode = "dllncc80a01h501x" }), field: "buyer.tax_code")
        assertRefused(fattura, F.invoice(buyer: with(privateBuyer) { $0.address?.region = "Lazio" }), field: "buyer.address.region")
        assertRefused(fattura, F.invoice(buyer: with(privateBuyer) { $0.address = nil }), field: "buyer.address")
        assertRefused(fattura, F.invoice(buyer: with(privateBuyer) { $0.address?.countryCode = "Italy" }), field: "buyer.address.country_code")
        assertRefused(fattura, F.invoice(buyer: with(privateBuyer) { $0.address?.city = String(repeating: "Roma", count: 16) }), field: "buyer.address.city")
        assertRefused(fattura, F.invoice(buyer: with(privateBuyer) { $0.recipientCode = "abc1234" }), field: "buyer.recipient_code")
        assertRefused(fattura, F.invoice(buyer: with(privateBuyer) { $0.recipientCode = "ABC123" }), field: "buyer.recipient_code")
        assertRefused(fattura, F.invoice(buyer: with(privateBuyer) { $0.certifiedEmail = "pec at example" }), field: "buyer.certified_email")
        assertRefused(fattura, F.invoice(buyer: with(privateBuyer) { $0.name = "東京商事" }), field: "buyer.name")
        assertRefused(fattura, F.invoice(buyer: with(privateBuyer) { $0.name = String(repeating: "Dell'Acqua ", count: 8) }), field: "buyer.name")
        assertRefused(fattura, F.invoice(buyer: with(F.companyBuyer) { $0.vatID = "DE-123" }), field: "buyer.vat_id")
    }

    func testFatturaPARefusesDocumentsItCannotExpress() {
        let fattura = FatturaPARenderer()
        assertRefused(fattura, with(F.invoice()) { $0.number = "SHOP-2026-000000000123" }, field: "number")
        assertRefused(fattura, with(F.creditNote()) { $0.creditedInvoice = nil }, field: "credited_invoice")
        assertRefused(fattura, F.invoice(note: "Merci 🙏"), field: "note")
        assertRefused(fattura, F.invoice(items: [item("Tè 🍵", 100, F.rate(2_200))]), field: "amounts.lines[0].description")
        assertRefused(fattura, F.invoice(items: [item(10_005, F.rate(2_200))], currency: "BHD"), field: "amounts.currency")
        let exemptA = F.rate(0, .exempt, reason: "Art. 10 n. 18"), exemptB = F.rate(0, .exempt, reason: "Art. 10 n. 20")
        assertRefused(fattura, F.invoice(items: [item(1_000, exemptA), item(1_000, exemptB)]), field: "amounts.lines")
    }

    func testFatturaPANamesTheNatureOfEveryZeroRate() throws {
        let items = [
            item("Export", 1_000, F.rate(0, .zeroRated)),
            item("Intra-EU", 1_000, F.rate(0, .exempt, reason: "N3.2 Art. 41 DL 331/93")),
            item("Reverse", 1_000, F.rate(0, .reverseCharge, reason: "Inversione contabile art. 17")),
            item("Fuori campo", 1_000, F.rate(0, .outOfScope)),
        ]
        let bytes = try FatturaPARenderer().render(F.invoice(items: items))
        let checked = try EInvoiceValidators.fatturaPA(bytes)
        XCTAssertTrue(checked.passed, checked.output)
        XCTAssertEqual(ParsedXML(bytes)?.texts["Natura"], ["N3.6", "N3.2", "N6.9", "N2.2", "N3.6", "N3.2", "N6.9", "N2.2"])
    }
}
