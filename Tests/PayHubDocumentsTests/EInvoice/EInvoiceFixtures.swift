import PayHubCore
@testable import PayHubDocuments

/// Documents the e-invoice tests render: an Italian seller, buyers in Italy and Germany, several VAT rates.
enum EInvoiceFixtures {
    static let seller = InvoiceParty(
        name: "Bottega Ñandú S.r.l.", address: PostalAddress(lines: ["Via Roma 1", "Scala B"], city: "Milano", postalCode: "20121", region: "MI", countryCode: "IT"),
        vatID: "IT01234567897", taxCode: "01234567897", email: "fatture@bottega.example", phone: "+39 02 1234567",
        electronicAddress: ElectronicAddress(scheme: "0211", identifier: "IT01234567897"), fiscalRegime: "RF01")

    /// A German company: a VAT id and a Peppol address, a name outside Latin-1.
    static let companyBuyer = InvoiceParty(
        name: "Zoë Łukasiewicz-Müller GmbH", address: PostalAddress(lines: ["Straße des 17. Juni 135"], city: "Berlin", postalCode: "10623", countryCode: "DE"),
        vatID: "DE123456789", email: "einkauf@zoe.example", electronicAddress: ElectronicAddress(scheme: "9930", identifier: "DE123456789"))

    /// An Italian private person: a codice fiscale, no VAT id, no Peppol address (an email instead).
    static let privateBuyer = InvoiceParty(
        name: "Niccolò Dell'Acqua", address: PostalAddress(lines: ["Via dei Fori Imperiali 10"], city: "Roma", postalCode: "00184", region: "RM", countryCode: "IT"),
        taxCode: "DLLNCC80A01H501X", email: "niccolo@example.it", certifiedEmail: "niccolo@pec.example.it")

    static func rate(_ basisPoints: Int64, _ category: VATRate.Category = .standard, reason: String? = nil) -> VATRate {
        try! VATRate(basisPoints: basisPoints, category: category, exemptionReason: reason)
    }

    /// 22 % on top, 10 % included in the price, and an exempt line.
    static let mixedItems = [
        InvoiceLineItem(description: "Abbonamento mensile", quantity: 1, unitAmount: 4_990, vatRate: rate(2_200), amountIncludesVAT: false),
        InvoiceLineItem(description: "Libro tascabile", quantity: 3, unitAmount: 1_250, vatRate: rate(1_000), amountIncludesVAT: true),
        InvoiceLineItem(description: "Corso di formazione", quantity: 2, unitAmount: 15_000, vatRate: rate(0, .exempt, reason: "Esente art. 10 DPR 633/72"), amountIncludesVAT: false),
    ]

    static let payment = InvoicePayment(
        date: CalendarDate(year: 2026, month: 12, day: 1), method: "card", methodDisplay: "visa •••• 4242",
        transactionID: "pi_3f9a2c", provider: "stripe", providerReference: "ch_123")

    static func invoice(
        buyer: InvoiceParty = companyBuyer, items: [InvoiceLineItem] = mixedItems, currency: String = "EUR",
        seller: InvoiceParty = seller, note: String? = "Grazie per l'acquisto.", payment: InvoicePayment? = payment
    ) -> InvoiceDocument {
        let amounts = try! InvoiceAmounts.compute(items, currency: try! Currency(code: currency))
        return InvoiceDocument(
            kind: .invoice, number: "2026-000123", issueDate: CalendarDate(year: 2026, month: 12, day: 1), seller: seller, buyer: buyer,
            amounts: amounts, payment: payment, creditedInvoice: nil, locale: .it, note: note)
    }

    /// A partial refund of `invoice()`: VAT-inclusive lines sharing the amount.
    static func creditNote(buyer: InvoiceParty = companyBuyer, amount: Int64 = 5_000) -> InvoiceDocument {
        let original = invoice(buyer: buyer)
        let items = try! original.amounts.creditLines(for: amount) { "Rimborso: \($0.description)" }
        let amounts = try! InvoiceAmounts.compute(items, currency: original.amounts.currency)
        let refund = InvoicePayment(
            date: CalendarDate(year: 2026, month: 12, day: 5), method: "card", methodDisplay: "visa •••• 4242", transactionID: "re_77b1",
            provider: "stripe", providerReference: "re_123")
        return InvoiceDocument(
            kind: .creditNote, number: "2026-000124", issueDate: CalendarDate(year: 2026, month: 12, day: 5), seller: original.seller, buyer: buyer,
            amounts: amounts, payment: refund, creditedInvoice: InvoiceReference(number: original.number, issueDate: original.issueDate), locale: .it)
    }

    /// Text no XML may hold raw: markup, an entity, a CDATA end, and controls XML 1.0 forbids.
    static let hostile = "<b>Evil</b> & \"Co\" ]]> \u{0}\u{1B}\u{FFFE}'"
}
