import Foundation
import PayHubCore

/// An `InvoiceDocument` as stored (`invoices.document`): the lines as sold and everything else as issued. The
/// amounts are worked out again from the lines with `InvoiceAmounts.compute`, a pure function, so every rendering
/// of a finalised invoice reads the same document.
struct InvoiceSnapshot: Codable, Sendable {
    struct Line: Codable, Sendable {
        var description: String
        var quantity: Int64
        var unitAmount: Int64
        var vatBasisPoints: Int64
        var vatCategory: String
        var vatExemptionReason: String?
        var amountIncludesVAT: Bool
    }

    struct Payment: Codable, Sendable {
        var date: CalendarDate
        var method: String
        var methodDisplay: String?
        var transactionID: String
        var provider: String
        var providerReference: String?
    }

    struct Reference: Codable, Sendable {
        var number: String
        var issueDate: CalendarDate
    }

    struct Logo: Codable, Sendable {
        var mediaType: String
        var base64: String
    }

    var kind: InvoiceDocument.Kind
    var number: String
    var issueDate: CalendarDate
    var seller: InvoiceParty
    var buyer: InvoiceParty
    var currency: String
    var lines: [Line]
    var payment: Payment?
    var creditedInvoice: Reference?
    var locale: CustomerLocale
    var note: String?
    var logo: Logo?

    init(_ document: InvoiceDocument) {
        kind = document.kind
        number = document.number
        issueDate = document.issueDate
        seller = document.seller
        buyer = document.buyer
        currency = document.amounts.currency.code
        lines = document.amounts.lines.map { line in
            Line(
                description: line.item.description, quantity: line.item.quantity, unitAmount: line.item.unitAmount,
                vatBasisPoints: line.item.vatRate.basisPoints, vatCategory: line.item.vatRate.category.rawValue,
                vatExemptionReason: line.item.vatRate.exemptionReason, amountIncludesVAT: line.item.amountIncludesVAT)
        }
        payment = document.payment.map {
            Payment(
                date: $0.date, method: $0.method, methodDisplay: $0.methodDisplay, transactionID: $0.transactionID, provider: $0.provider,
                providerReference: $0.providerReference)
        }
        creditedInvoice = document.creditedInvoice.map { Reference(number: $0.number, issueDate: $0.issueDate) }
        locale = document.locale
        note = document.note
        logo = document.logo.map { Logo(mediaType: $0.mediaType.rawValue, base64: Data($0.bytes).base64EncodedString()) }
    }

    /// The document again; nil when the stored text no longer reads as one (a corrupt row).
    func document() -> InvoiceDocument? {
        guard let currency = try? Currency(code: currency) else { return nil }
        var items: [InvoiceLineItem] = []
        for line in lines {
            guard let category = VATRate.Category(rawValue: line.vatCategory),
                  let rate = try? VATRate(basisPoints: line.vatBasisPoints, category: category, exemptionReason: line.vatExemptionReason)
            else { return nil }
            items.append(InvoiceLineItem(
                description: line.description, quantity: line.quantity, unitAmount: line.unitAmount, vatRate: rate,
                amountIncludesVAT: line.amountIncludesVAT))
        }
        guard let amounts = try? InvoiceAmounts.compute(items, currency: currency) else { return nil }
        var storedLogo: InvoiceLogo?
        if let logo {
            guard let type = InvoiceLogo.MediaType(rawValue: logo.mediaType), let bytes = Data(base64Encoded: logo.base64) else { return nil }
            storedLogo = InvoiceLogo(mediaType: type, bytes: Array(bytes))
        }
        return InvoiceDocument(
            kind: kind, number: number, issueDate: issueDate, seller: seller, buyer: buyer, amounts: amounts,
            payment: payment.map {
                InvoicePayment(
                    date: $0.date, method: $0.method, methodDisplay: $0.methodDisplay, transactionID: $0.transactionID, provider: $0.provider,
                    providerReference: $0.providerReference)
            },
            creditedInvoice: creditedInvoice.map { InvoiceReference(number: $0.number, issueDate: $0.issueDate) }, locale: locale, note: note,
            logo: storedLogo)
    }
}
