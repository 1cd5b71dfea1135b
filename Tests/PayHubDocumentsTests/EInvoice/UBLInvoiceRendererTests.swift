import PayHubCore
import XCTest
@testable import PayHubDocuments

final class UBLInvoiceRendererTests: XCTestCase {
    private let renderer = UBLInvoiceRenderer()

    func testAnInvoiceWithThreeRatesPassesThePeppolValidator() throws {
        let xml = try assertValid(renderer, EInvoiceFixtures.invoice())
        XCTAssertEqual(xml.text("cbc:CustomizationID"), UBLInvoiceRenderer.customizationID)
        XCTAssertEqual(xml.text("cbc:InvoiceTypeCode"), "380")
        XCTAssertEqual(xml.texts["cbc:RegistrationName"], ["Bottega Ñandú S.r.l.", "Zoë Łukasiewicz-Müller GmbH"])
        // 49.90 + 22 % (10.98), 37.50 including 10 % (3.41), 300.00 exempt: paid in full, nothing left to pay.
        XCTAssertEqual(xml.texts["cbc:TaxableAmount"], ["49.90", "34.09", "300.00"])
        XCTAssertEqual(xml.texts["cbc:TaxAmount"], ["14.39", "10.98", "3.41", "0.00"])
        XCTAssertEqual(xml.text("cbc:TaxInclusiveAmount"), "398.38")
        XCTAssertEqual(xml.text("cbc:PrepaidAmount"), "398.38")
        XCTAssertEqual(xml.text("cbc:PayableAmount"), "0.00")
        XCTAssertEqual(xml.text("cbc:PaymentMeansCode"), "48")
        XCTAssertEqual(xml.texts["cbc:Note"], ["Grazie per l'acquisto.", "Pagamento ricevuto il 2026-12-01."])
        XCTAssertEqual(xml.text("cbc:TaxExemptionReason"), "Esente art. 10 DPR 633/72")
        XCTAssertEqual(xml.attributes["cbc:EndpointID"]?.map { $0["schemeID"] }, ["0211", "9930"])
        // 34.09 for 3 books does not divide: the price is given for the 3 of them.
        XCTAssertEqual(xml.texts["cbc:PriceAmount"], ["49.90", "34.09", "150.00"])
        XCTAssertEqual(xml.texts["cbc:BaseQuantity"], ["3"])
    }

    func testACreditNoteReferencesTheInvoiceItCorrects() throws {
        let xml = try assertValid(renderer, EInvoiceFixtures.creditNote())
        XCTAssertEqual(xml.text("cbc:CreditNoteTypeCode"), "381")
        XCTAssertEqual(xml.texts["cbc:ID"]?.prefix(2), ["2026-000124", "2026-000123"])
        XCTAssertEqual(xml.texts["cbc:CreditedQuantity"]?.count, 3)
        XCTAssertEqual(xml.text("cbc:TaxInclusiveAmount"), "50.00")
        XCTAssertEqual(xml.text("cbc:PayableAmount"), "0.00")
    }

    func testABuyerWithoutAnElectronicAddressIsReachedByEmail() throws {
        let xml = try assertValid(renderer, EInvoiceFixtures.invoice(buyer: EInvoiceFixtures.privateBuyer))
        XCTAssertEqual(xml.attributes["cbc:EndpointID"]?.last?["schemeID"], "EM")
        XCTAssertEqual(xml.texts["cbc:EndpointID"]?.last, "niccolo@example.it")
    }

    func testAnUnpaidInvoiceHasItsTotalToPayAndTerms() throws {
        let xml = try assertValid(renderer, EInvoiceFixtures.invoice(payment: nil))
        XCTAssertEqual(xml.text("cbc:PayableAmount"), "398.38")
        XCTAssertEqual(xml.text("cbc:PrepaidAmount"), "0.00")
        XCTAssertNil(xml.text("cbc:PaymentMeansCode"))
        XCTAssertEqual(xml.texts["cbc:Note"]?.last, "Pagamento a vista.", "payment terms (BR-CO-25), in the document's language")
    }

    func testYenHaveNoDecimals() throws {
        let items = [
            InvoiceLineItem(description: "Matcha", quantity: 2, unitAmount: 1_500, vatRate: EInvoiceFixtures.rate(800), amountIncludesVAT: false),
            InvoiceLineItem(description: "Teapot", quantity: 1, unitAmount: 11_000, vatRate: EInvoiceFixtures.rate(1_000), amountIncludesVAT: true),
        ]
        let xml = try assertValid(renderer, EInvoiceFixtures.invoice(items: items, currency: "JPY"))
        XCTAssertEqual(xml.text("cbc:DocumentCurrencyCode"), "JPY")
        XCTAssertEqual(xml.texts["cbc:TaxableAmount"], ["3000", "10000"])
        XCTAssertEqual(xml.text("cbc:TaxInclusiveAmount"), "14240")
    }

    func testAThreeDecimalCurrencyIsWrittenWithTwoWhenItsAmountsAllowIt() throws {
        let items = [InvoiceLineItem(description: "Service", quantity: 1, unitAmount: 10_000, vatRate: EInvoiceFixtures.rate(1_000), amountIncludesVAT: false)]
        let xml = try assertValid(renderer, EInvoiceFixtures.invoice(items: items, currency: "BHD"))
        XCTAssertEqual(xml.text("cbc:TaxInclusiveAmount"), "11.00")
        XCTAssertEqual(xml.text("cbc:PriceAmount"), "10.000")

        let fils = [InvoiceLineItem(description: "Service", quantity: 1, unitAmount: 10_005, vatRate: EInvoiceFixtures.rate(1_000), amountIncludesVAT: false)]
        assertRefused(renderer, EInvoiceFixtures.invoice(items: fils, currency: "BHD"), field: "amounts.currency")
    }

    func testHostileTextIsEscapedOrRemoved() throws {
        var buyer = EInvoiceFixtures.companyBuyer
        buyer.name = EInvoiceFixtures.hostile
        buyer.address?.lines = ["Line\nbreak\t&tab", EInvoiceFixtures.hostile]
        let items = [InvoiceLineItem(description: EInvoiceFixtures.hostile, quantity: 1, unitAmount: 100, vatRate: EInvoiceFixtures.rate(2_200), amountIncludesVAT: false)]
        var document = EInvoiceFixtures.invoice(buyer: buyer, items: items, note: "First line\r\n\(EInvoiceFixtures.hostile)\n\n")
        document.payment?.methodDisplay = "\"><x y=\"&"
        let xml = try assertValid(renderer, document)
        let cleaned = "<b>Evil</b> & \"Co\" ]]> '"
        XCTAssertEqual(xml.texts["cbc:RegistrationName"]?.last, cleaned)
        XCTAssertEqual(xml.text("cbc:Name"), cleaned)
        XCTAssertEqual(xml.texts["cbc:StreetName"]?.last, "Line break &tab")
        XCTAssertEqual(xml.text("cbc:Note"), "First line\n\(cleaned)")
        XCTAssertEqual(xml.attributes["cbc:PaymentMeansCode"]?.first?["name"], "\"><x y=\"&")
    }

    func testTheSameDocumentGivesTheSameBytes() throws {
        XCTAssertEqual(try renderer.render(EInvoiceFixtures.invoice()), try renderer.render(EInvoiceFixtures.invoice()))
        XCTAssertEqual(try renderer.render(EInvoiceFixtures.creditNote()), try renderer.render(EInvoiceFixtures.creditNote()))
    }
}
