import Foundation
import PayHubCore
import XCTest
@testable import PayHubDocuments

/// The rendered PDF checked from outside: `qpdf --check` for its structure, `pdftotext` for what a reader sees.
final class InvoicePDFRendererTests: XCTestCase {
    private let renderer = InvoicePDFRenderer()

    private func money(_ minorUnits: Int64, _ locale: CustomerLocale = .en) -> String {
        LocalizedMoney.format(Money(minorUnits: minorUnits, currency: try! Currency(code: "EUR")), in: locale)
    }

    /// pdftotext may write a no-break space as a space.
    private func spaced(_ text: String) -> String {
        text.replacingOccurrences(of: "\u{00A0}", with: " ").replacingOccurrences(of: "\u{202F}", with: " ")
    }

    private func pageCount(_ pdf: [UInt8]) throws -> Int {
        let result = try PDFTools.run("qpdf", ["--show-npages", "{pdf}"], pdf: pdf)
        return Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// Every page that shows lines of the table shows its header.
    private func assertTableHeaderOnEveryPageWithLines(_ text: String, pages: Int, file: StaticString = #filePath, line: UInt = #line) {
        let pageTexts = text.split(separator: "\u{0C}", omittingEmptySubsequences: false).filter { $0.contains("Page ") }
        XCTAssertEqual(pageTexts.count, pages, file: file, line: line)
        for (index, page) in pageTexts.enumerated() where page.contains("Crème brûlée") {
            XCTAssertEqual(page.components(separatedBy: "Description").count - 1, 1, "page \(index + 1)", file: file, line: line)
        }
        XCTAssertGreaterThanOrEqual(pageTexts.filter { $0.contains("Crème brûlée") }.count, 2, file: file, line: line)
    }

    func testSixtyLinesWithHostileTextMakeAValidTwoPageInvoice() throws {
        let document = InvoiceFixtures.invoice(lines: 60)
        let pdf = try renderer.render(document)
        try PDFTools.assertValid(pdf)
        let pages = try pageCount(pdf)
        XCTAssertGreaterThanOrEqual(pages, 2)
        let text = try PDFTools.text(pdf)
        XCTAssertTrue(text.contains(InvoiceFixtures.buyerName), text)
        XCTAssertTrue(text.contains("ul. Źródlana 7/12"))
        XCTAssertTrue(text.contains("Invoice"))
        XCTAssertTrue(text.contains("2026-000123"))
        XCTAssertTrue(text.contains("Page 1 of \(pages)"))
        XCTAssertTrue(text.contains("Page \(pages) of \(pages)"))
        XCTAssertFalse(text.contains("Page \(pages + 1) of"))
        XCTAssertTrue(text.contains("1 December 2026"))
        XCTAssertTrue(text.contains("pi_01JDXK4Q8ZP3M7"))
        XCTAssertTrue(text.contains("ch_3QKZ9d2eZvKYlo2C1a2b3c4d"))
        XCTAssertTrue(text.contains("Card · visa •••• 4242"))
        // The totals, and a total per rate.
        XCTAssertTrue(text.contains(money(document.amounts.gross)), "total \(money(document.amounts.gross)) missing")
        XCTAssertTrue(text.contains(money(document.amounts.net)))
        XCTAssertTrue(text.contains(money(document.amounts.vat)))
        for subtotal in document.amounts.subtotals { XCTAssertTrue(text.contains(money(subtotal.vat)), "VAT \(subtotal.rate.percentString) missing") }
        XCTAssertTrue(text.contains("Exempt: Art. 10 DPR"))
        // The hostile description is text, not syntax: its parentheses, backslash and keywords come back.
        XCTAssertTrue(text.contains("Report (draft) \\ with )"), text)
        XCTAssertTrue(text.contains("endstream"))
        XCTAssertTrue(text.contains("Item 57 – Crème brûlée ñandú"))
        assertTableHeaderOnEveryPageWithLines(text, pages: pages)
        XCTAssertTrue(text.contains("Thank you for your order. Payment received — no action needed."))
    }

    func testAHundredLinesFlowOverPages() throws {
        let pdf = try renderer.render(InvoiceFixtures.invoice(lines: 100, note: String(repeating: "A long note line that wraps. ", count: 120)))
        try PDFTools.assertValid(pdf)
        let pages = try pageCount(pdf)
        XCTAssertGreaterThanOrEqual(pages, 3)
        let text = try PDFTools.text(pdf)
        XCTAssertTrue(text.contains("Page \(pages) of \(pages)"))
        XCTAssertTrue(text.contains("Item 97 – Crème brûlée ñandú"))
        assertTableHeaderOnEveryPageWithLines(text, pages: pages)
    }

    func testCreditNote() throws {
        let document = InvoiceFixtures.creditNote()
        let pdf = try renderer.render(document)
        try PDFTools.assertValid(pdf)
        let text = try PDFTools.text(pdf)
        XCTAssertTrue(text.contains("Credit note"))
        XCTAssertTrue(text.contains("2026-000124"))
        XCTAssertTrue(text.contains("Corrects invoice"))
        XCTAssertTrue(text.contains("2026-000123, 1 December 2026"))
        XCTAssertTrue(text.contains("Refunded on"))
        XCTAssertTrue(text.contains("Total credited"))
        XCTAssertEqual(document.amounts.gross, 5_000)
        XCTAssertTrue(text.contains(money(5_000)))
        XCTAssertTrue(text.contains("Refund: Annual subscription"))
        XCTAssertTrue(text.contains("Page 1 of 1"))
    }

    func testEveryLocaleHasItsLabelsAmountsAndDates() throws {
        let expected: [CustomerLocale: [String]] = [
            .en: ["Invoice", "BILL TO", "Unit price", "Page 1 of 1", "1 December 2026", "Credit note", "Corrects invoice"],
            .it: ["Fattura", "INTESTATA A", "Prezzo unitario", "Pagina 1 di 1", "1 dicembre 2026", "Nota di credito", "Rettifica la fattura"],
            .fr: ["Facture", "FACTURÉ À", "Prix unitaire", "Page 1 sur 1", "1er décembre 2026", "Avoir", "Rectifie la facture"],
            .de: ["Rechnung", "RECHNUNGSEMPFÄNGER", "Einzelpreis", "Seite 1 von 1", "1. Dezember 2026", "Rechnungskorrektur", "Korrigiert Rechnung"],
            .es: ["Factura", "FACTURAR A", "Precio unitario", "Página 1 de 1", "1 de diciembre de 2026", "Factura rectificativa", "Rectifica la factura"],
        ]
        for locale in CustomerLocale.allCases {
            let invoice = InvoiceFixtures.invoice(lines: 5, locale: locale)
            let invoicePDF = try renderer.render(invoice)
            try PDFTools.assertValid(invoicePDF)
            let creditPDF = try renderer.render(InvoiceFixtures.creditNote(locale: locale))
            try PDFTools.assertValid(creditPDF)
            let text = try PDFTools.text(invoicePDF) + (try PDFTools.text(creditPDF))
            for word in expected[locale]! { XCTAssertTrue(text.contains(word), "\(locale): '\(word)' missing") }
            let total = money(invoice.amounts.gross, locale)
            XCTAssertTrue(text.contains(total) || spaced(text).contains(spaced(total)), "\(locale): total \(total) missing")
            XCTAssertTrue(text.contains(InvoiceFixtures.buyerName))
        }
    }

    func testTheSameDocumentGivesTheSameBytes() throws {
        let document = InvoiceFixtures.invoice(lines: 60, logo: InvoiceLogo(mediaType: .jpeg, bytes: LogoFixtures.jpeg))
        let first = try renderer.render(document)
        XCTAssertEqual(first, try InvoicePDFRenderer().render(document))
        var other = document
        other.number = "2026-000125"
        XCTAssertNotEqual(first, try renderer.render(other))
        let text = String(decoding: first, as: UTF8.self)
        XCTAssertTrue(text.contains("/CreationDate <" + PDFHex.string(Array("D:20261201000000Z".utf8)) + ">"))
    }

    func testCharactersOutsideTheFontBecomeQuestionMarks() throws {
        var document = InvoiceFixtures.invoice(lines: 2)
        document.buyer.name = "Zoë 😀 李 Ω"
        let pdf = try renderer.render(document)
        try PDFTools.assertValid(pdf)
        XCTAssertTrue(try PDFTools.text(pdf).contains("Zoë ? ? ?"))
    }

    func testOverlongPartyDataStaysInItsBlock() throws {
        var document = InvoiceFixtures.invoice(lines: 2)
        document.seller.name = String(repeating: "Ünal ", count: 2_000)
        document.buyer.name = String(repeating: "W", count: 5_000)
        document.buyer.address?.lines = Array(repeating: "Line (of) an address \\ ", count: 50)
        document.note = String(repeating: "Note line\n", count: 400)
        let started = Date()
        let pdf = try renderer.render(document)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        try PDFTools.assertValid(pdf)
        let text = try PDFTools.text(pdf)
        XCTAssertTrue(text.contains("WWWW…"))
        XCTAssertTrue(text.contains("Ünal Ünal"))
        XCTAssertTrue(text.contains("VAT ID: PL5260250274"), "the VAT id stays however long the address")
    }

    func testPlainSevenBitTextHasNoLiteralStrings() throws {
        // Every string in the file is hexadecimal: a literal "(" never opens a string, whatever the text.
        let pdf = try renderer.render(InvoiceFixtures.invoice(lines: 3))
        let contentOperators = String(decoding: pdf, as: UTF8.self).components(separatedBy: "\n").filter { $0.hasPrefix("BT ") }
        XCTAssertFalse(contentOperators.isEmpty)
        for line in contentOperators { XCTAssertFalse(line.contains("("), line) }
    }

    func testJPEGLogo() throws {
        let pdf = try renderer.render(InvoiceFixtures.invoice(lines: 3, logo: InvoiceLogo(mediaType: .jpeg, bytes: LogoFixtures.jpeg)))
        try PDFTools.assertValid(pdf)
        let images = try PDFTools.run("pdfimages", ["-list", "{pdf}"], pdf: pdf).output
        XCTAssertNotNil(images.range(of: #"image\s+48\s+16\s+rgb\s+3\s+8\s+jpeg"#, options: .regularExpression), images)
    }

    func testOpaquePNGLogoIsDrawnInItsColour() throws {
        let png = LogoFixtures.png(width: 40, height: 20, pixel: [10, 200, 30])
        let pdf = try renderer.render(InvoiceFixtures.invoice(lines: 3, logo: InvoiceLogo(mediaType: .png, bytes: png)))
        try PDFTools.assertValid(pdf)
        let images = try PDFTools.run("pdfimages", ["-list", "{pdf}"], pdf: pdf).output
        XCTAssertNotNil(images.range(of: #"image\s+40\s+20\s+rgb\s+3\s+8\s+image"#, options: .regularExpression), images)
        // pdftoppm draws the page: the logo's box (top left, 112×56 pt from 50,48) is that green.
        XCTAssertEqual(try PDFTools.pixel(pdf, x: 60, y: 58), [10, 200, 30])
    }

    func testCompressedPNGLogoPassesThroughWithItsFilters() throws {
        let pdf = try renderer.render(InvoiceFixtures.sample)
        try PDFTools.assertValid(pdf)
        let images = try PDFTools.run("pdfimages", ["-list", "{pdf}"], pdf: pdf).output
        XCTAssertNotNil(images.range(of: #"image\s+360\s+96\s+rgb\s+3\s+8\s+image"#, options: .regularExpression), images)
        // Below the white "B", inside the blue square: (44, 82) in the image, drawn at 160/360 scale from (50, 48).
        let pixel = try PDFTools.pixel(pdf, x: 69, y: 84)
        for (channel, expected) in zip(pixel, [33, 64, 112]) { XCTAssertEqual(channel, expected, accuracy: 4, "\(pixel)") }
    }

    func testLogosThePDFCannotCarryAreRefusedNamingTheField() {
        let cases: [(InvoiceLogo, String)] = [
            (InvoiceLogo(mediaType: .png, bytes: LogoFixtures.png(width: 4, height: 4, pixel: [1, 2, 3, 4, 5, 6, 7, 8], colorType: 6)), "not a valid PNG"),
            (InvoiceLogo(mediaType: .png, bytes: LogoFixtures.png(width: 4, height: 4, pixel: [1, 2, 3], interlaced: true)), "interlaced"),
            (InvoiceLogo(mediaType: .png, bytes: Array("not a png".utf8)), "not a valid PNG"),
            (InvoiceLogo(mediaType: .jpeg, bytes: Array(LogoFixtures.jpeg.prefix(100))), "not a valid JPEG"),
            (InvoiceLogo(mediaType: .jpeg, bytes: LogoFixtures.png(width: 2, height: 2, pixel: [0, 0, 0])), "not a valid JPEG"),
        ]
        for (logo, words) in cases {
            XCTAssertThrowsError(try renderer.render(InvoiceFixtures.invoice(lines: 1, logo: logo))) { error in
                let refused = error as? InvoiceExportRefused
                XCTAssertEqual(refused?.field, "seller.logo")
                XCTAssertEqual(refused?.format, .pdf)
                XCTAssertTrue(refused?.message.contains(words) == true, "\(refused?.message ?? "") lacks '\(words)'")
            }
            XCTAssertThrowsError(try InvoicePDFRenderer.checkLogo(logo))
        }
        XCTAssertNoThrow(try InvoicePDFRenderer.checkLogo(InvoiceLogo(mediaType: .jpeg, bytes: LogoFixtures.jpeg)))
    }

    /// The README's sample invoice renders to a page image; with PAYHUB_WRITE_SCREENSHOT set, the image is written
    /// there (`PAYHUB_WRITE_SCREENSHOT=$PWD/docs/screenshots/invoice.png`).
    func testSampleScreenshot() throws {
        let target = ProcessInfo.processInfo.environment["PAYHUB_WRITE_SCREENSHOT"]
        let document = InvoiceFixtures.sample
        let pdf = try renderer.render(document)
        try PDFTools.assertValid(pdf)
        let result = try PDFTools.run("pdftoppm", ["-png", "-r", "80", "-singlefile", "{pdf}", "{out}"], pdf: pdf, outputFile: "out.png")
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(Array(result.data.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        guard let target else { return }
        try result.data.write(to: URL(fileURLWithPath: target))
        try Data(pdf).write(to: FileManager.default.temporaryDirectory.appendingPathComponent("payhub-sample-invoice.pdf"))
    }
}
