import PayHubCore
import XCTest
@testable import PayHubDocuments

final class FatturaPARendererTests: XCTestCase {
    private let renderer = FatturaPARenderer()

    func testAnInvoiceToAPrivateItalianBuyerPassesTheSchema() throws {
        let xml = try assertValid(renderer, EInvoiceFixtures.invoice(buyer: EInvoiceFixtures.privateBuyer))
        XCTAssertEqual(xml.text("TipoDocumento"), "TD01")
        XCTAssertEqual(xml.text("FormatoTrasmissione"), "FPR12")
        XCTAssertEqual(xml.text("ProgressivoInvio"), "2026000123")
        XCTAssertEqual(xml.texts["IdCodice"], ["01234567897", "01234567897"])
        XCTAssertEqual(xml.text("CodiceDestinatario"), "0000000")
        XCTAssertEqual(xml.text("PECDestinatario"), "niccolo@pec.example.it")
        XCTAssertEqual(xml.texts["CodiceFiscale"], ["01234567897", "DLLNCC80A01H501X"])
        XCTAssertEqual(xml.texts["Denominazione"], ["Bottega Ñandú S.r.l.", "Niccolò Dell'Acqua"])
        XCTAssertEqual(xml.text("RegimeFiscale"), "RF01")
        XCTAssertEqual(xml.texts["Indirizzo"]?.first, "Via Roma 1, Scala B")
        // 22 % on top, 10 % included, exempt (N4) with its legal reference; the document's total was paid by card.
        XCTAssertEqual(xml.texts["PrezzoUnitario"], ["49.90", "11.36333333", "150.00"])
        XCTAssertEqual(xml.texts["PrezzoTotale"], ["49.90", "34.09", "300.00"])
        XCTAssertEqual(xml.texts["AliquotaIVA"], ["22.00", "10.00", "0.00", "22.00", "10.00", "0.00"])
        XCTAssertEqual(xml.texts["Natura"], ["N4", "N4"])
        XCTAssertEqual(xml.texts["ImponibileImporto"], ["49.90", "34.09", "300.00"])
        XCTAssertEqual(xml.texts["Imposta"], ["10.98", "3.41", "0.00"])
        XCTAssertEqual(xml.text("RiferimentoNormativo"), "Esente art. 10 DPR 633/72")
        XCTAssertEqual(xml.text("ImportoTotaleDocumento"), "398.38")
        XCTAssertEqual(xml.text("ModalitaPagamento"), "MP08")
        XCTAssertEqual(xml.text("ImportoPagamento"), "398.38")
    }

    func testACreditNoteToACompanyAbroadIsTD04WithTheInvoiceItCorrects() throws {
        let xml = try assertValid(renderer, EInvoiceFixtures.creditNote())
        XCTAssertEqual(xml.text("TipoDocumento"), "TD04")
        XCTAssertEqual(xml.text("IdDocumento"), "2026-000123")
        XCTAssertEqual(xml.texts["Data"], ["2026-12-05", "2026-12-01"])
        XCTAssertEqual(xml.text("CodiceDestinatario"), "XXXXXXX")
        XCTAssertNil(xml.text("PECDestinatario"))
        XCTAssertEqual(xml.texts["IdPaese"], ["IT", "IT", "DE"])
        // Ł has no Latin-1 form: it is written L; ë and ü are Latin-1.
        XCTAssertEqual(xml.texts["Denominazione"]?.last, "Zoë Lukasiewicz-Müller GmbH")
        XCTAssertEqual(xml.texts["CAP"]?.last, "10623")
        XCTAssertEqual(xml.text("ImportoTotaleDocumento"), "50.00")
    }

    func testAPrivateBuyerAbroadGetsThePlaceholderIdentifier() throws {
        var buyer = EInvoiceFixtures.companyBuyer
        buyer.vatID = nil
        buyer.address?.postalCode = "SW1A 1AA"
        buyer.address?.countryCode = "GB"
        let xml = try assertValid(renderer, EInvoiceFixtures.invoice(buyer: buyer))
        XCTAssertEqual(xml.texts["IdCodice"]?.last, "99999999999")
        XCTAssertEqual(xml.texts["IdPaese"]?.last, "GB")
        XCTAssertEqual(xml.texts["CAP"]?.last, "00000")
        // With a tax number of its own, that is the identifier; a codice fiscale is for Italians only.
        buyer.taxCode = "AB123456C"
        let withTaxNumber = try assertValid(renderer, EInvoiceFixtures.invoice(buyer: buyer))
        XCTAssertEqual(withTaxNumber.texts["IdCodice"]?.last, "AB123456C")
        XCTAssertEqual(withTaxNumber.texts["CodiceFiscale"], ["01234567897"])
        buyer.taxCode = "AB 123"
        XCTAssertThrowsError(try renderer.render(EInvoiceFixtures.invoice(buyer: buyer)))
    }

    func testHostileAndOverlongTextStaysWithinTheSchema() throws {
        var buyer = EInvoiceFixtures.privateBuyer
        buyer.name = EInvoiceFixtures.hostile
        buyer.address?.lines = [String(repeating: "Via Lunghissima ", count: 6), "Interno 5"]
        let items = [InvoiceLineItem(description: EInvoiceFixtures.hostile + " – “€ 5”", quantity: 7, unitAmount: 1_000, vatRate: EInvoiceFixtures.rate(2_200), amountIncludesVAT: true)]
        let note = String(repeating: "Nota ", count: 50) + "\n" + EInvoiceFixtures.hostile
        let xml = try assertValid(renderer, EInvoiceFixtures.invoice(buyer: buyer, items: items, note: note))
        let cleaned = "<b>Evil</b> & \"Co\" ]]> '"
        XCTAssertEqual(xml.texts["Denominazione"]?.last, cleaned)
        XCTAssertEqual(xml.text("Descrizione"), cleaned + " - \"EUR 5\"")
        let street = try XCTUnwrap(xml.texts["Indirizzo"]?.last)
        XCTAssertLessThanOrEqual(street.count, 60)
        XCTAssertTrue(street.hasPrefix("Via Lunghissima Via"))
        XCTAssertEqual(xml.texts["Causale"]?.map(\.count), [200, 49, cleaned.count])
        // 70.00 including 22 %: 57.38 net for 7, a unit price of 8.19714286.
        XCTAssertEqual(xml.text("PrezzoUnitario"), "8.19714286")
        XCTAssertEqual(xml.text("PrezzoTotale"), "57.38")
    }

    func testTheSameDocumentGivesTheSameBytes() throws {
        XCTAssertEqual(try renderer.render(EInvoiceFixtures.invoice()), try renderer.render(EInvoiceFixtures.invoice()))
        XCTAssertEqual(try renderer.render(EInvoiceFixtures.creditNote()), try renderer.render(EInvoiceFixtures.creditNote()))
    }

    func testALongNumberGivesADeterministicTransmissionNumber() {
        let long = FatturaPACodes.transmissionNumber("SHOP-2026-0000000123")
        XCTAssertEqual(long.count, 10)
        XCTAssertEqual(long, FatturaPACodes.transmissionNumber("SHOP-2026-0000000123"))
        XCTAssertNotEqual(long, FatturaPACodes.transmissionNumber("SHOP-2026-0000000124"))
        XCTAssertTrue(long.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) })
    }
}
