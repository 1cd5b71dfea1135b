import PayHubCore

/// Documents the PDF tests render: a full invoice with hostile text and many lines, a credit note, and a
/// short invoice per locale.
enum InvoiceFixtures {
    static let buyerName = "Łukasz Ńoś-Groß Ærøskøbing Ő"

    static var seller: InvoiceParty {
        InvoiceParty(
            name: "Bottega Ünal S.r.l.",
            address: PostalAddress(lines: ["Via della Spiga 1"], city: "Milano", postalCode: "20121", region: "MI", countryCode: "IT"),
            vatID: "IT01234567890", taxCode: "01234567890", email: "fatture@bottega.example", phone: "+39 02 1234567"
        )
    }

    static var buyer: InvoiceParty {
        InvoiceParty(
            name: buyerName,
            address: PostalAddress(lines: ["ul. Źródlana 7/12", "Klatka B"], city: "Łódź", postalCode: "90-001", countryCode: "PL"),
            vatID: "PL5260250274", email: "lukasz@example.pl"
        )
    }

    static func rate(_ basisPoints: Int64) -> VATRate { try! VATRate(basisPoints: basisPoints) }

    static let hostileDescription = "Report (draft) \\ with ) unbalanced ( parens, <hex> [array] /Name %comment endstream endobj \u{0}\u{7}\t tab"

    /// `count` lines: a long description to wrap, a hostile one, an exempt one, and numbered ones.
    static func items(_ count: Int) -> [InvoiceLineItem] {
        let exempt = try! VATRate(basisPoints: 0, category: .exempt, exemptionReason: "Art. 10 DPR 633/72 – servizi sanitari")
        var items = [
            InvoiceLineItem(description: "Annual subscription „Premium“ — includes priority support, onboarding sessions and the quarterly report for every workspace of the organisation", quantity: 1, unitAmount: 119_900, vatRate: rate(2200), amountIncludesVAT: false),
            InvoiceLineItem(description: hostileDescription, quantity: 3, unitAmount: 1_250, vatRate: rate(1000), amountIncludesVAT: true),
            InvoiceLineItem(description: "Medical consultation", quantity: 1, unitAmount: 8_000, vatRate: exempt, amountIncludesVAT: false),
        ]
        var number = 1
        while items.count < count {
            items.append(InvoiceLineItem(description: "Item \(number) – Crème brûlée ñandú", quantity: Int64(number % 7 + 1), unitAmount: Int64(990 + number * 37), vatRate: rate(number % 3 == 0 ? 550 : 2200), amountIncludesVAT: false))
            number += 1
        }
        return Array(items.prefix(count))
    }

    static func invoice(lines: Int = 60, locale: CustomerLocale = .en, note: String? = "Thank you for your order. Payment received — no action needed.\nQuestions? fatture@bottega.example", logo: InvoiceLogo? = nil) -> InvoiceDocument {
        InvoiceDocument(
            kind: .invoice, number: "2026-000123", issueDate: CalendarDate(year: 2026, month: 12, day: 1), seller: seller, buyer: buyer,
            amounts: try! InvoiceAmounts.compute(items(lines), currency: try! Currency(code: "EUR")),
            payment: InvoicePayment(date: CalendarDate(year: 2026, month: 12, day: 1), method: "card", methodDisplay: "visa •••• 4242", transactionID: "pi_01JDXK4Q8ZP3M7", provider: "stripe", providerReference: "ch_3QKZ9d2eZvKYlo2C1a2b3c4d"),
            creditedInvoice: nil, locale: locale, note: note, logo: logo
        )
    }

    static func creditNote(locale: CustomerLocale = .en) -> InvoiceDocument {
        let invoice = InvoiceFixtures.invoice(lines: 4)
        let lines = try! invoice.amounts.creditLines(for: 5_000) { "Refund: \($0.description)" }
        return InvoiceDocument(
            kind: .creditNote, number: "2026-000124", issueDate: CalendarDate(year: 2026, month: 12, day: 3), seller: seller, buyer: buyer,
            amounts: try! InvoiceAmounts.compute(lines, currency: try! Currency(code: "EUR")),
            payment: InvoicePayment(date: CalendarDate(year: 2026, month: 12, day: 3), method: "card", methodDisplay: "visa •••• 4242", transactionID: "re_01JDXM2N5K", provider: "stripe", providerReference: "re_3QKZ9d2eZvKYlo2C"),
            creditedInvoice: InvoiceReference(number: invoice.number, issueDate: invoice.issueDate), locale: locale
        )
    }

    /// The README's sample: a plausible invoice with the Pillow-drawn logo.
    static var sample: InvoiceDocument {
        let standard = rate(2200), reduced = rate(1000)
        let exempt = try! VATRate(basisPoints: 0, category: .exempt, exemptionReason: "Art. 10 DPR 633/72")
        let items = [
            InvoiceLineItem(description: "Espresso machine „Lusso“ — stainless steel, 2 groups, with the 3-year on-site warranty", quantity: 1, unitAmount: 189_000, vatRate: standard, amountIncludesVAT: false),
            InvoiceLineItem(description: "Coffee beans, Arabica blend 1 kg", quantity: 12, unitAmount: 2_450, vatRate: reduced, amountIncludesVAT: false),
            InvoiceLineItem(description: "Milk jug 600 ml", quantity: 4, unitAmount: 1_890, vatRate: standard, amountIncludesVAT: false),
            InvoiceLineItem(description: "Barista training (half day)", quantity: 1, unitAmount: 32_000, vatRate: exempt, amountIncludesVAT: false),
            InvoiceLineItem(description: "Delivery and installation", quantity: 1, unitAmount: 9_500, vatRate: standard, amountIncludesVAT: false),
        ]
        return InvoiceDocument(
            kind: .invoice, number: "2026-000123", issueDate: CalendarDate(year: 2026, month: 12, day: 1), seller: seller, buyer: buyer,
            amounts: try! InvoiceAmounts.compute(items, currency: try! Currency(code: "EUR")),
            payment: InvoicePayment(date: CalendarDate(year: 2026, month: 12, day: 1), method: "card", methodDisplay: "visa •••• 4242", transactionID: "pi_01JDXK4Q8ZP3M7", provider: "stripe", providerReference: "ch_3QKZ9d2eZvKYlo2C1a2b3c4d"),
            creditedInvoice: nil, locale: .en, note: "Thank you for your order. Payment received — nothing left to pay.\nThe warranty starts on the day of installation.",
            logo: InvoiceLogo(mediaType: .png, bytes: LogoFixtures.bottegaPNG)
        )
    }
}
