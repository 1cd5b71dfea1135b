import Foundation
import PayHubCore
import Vapor

/// An invoice or a credit note as the API shows it (and its `*.finalized` events carry): everything it says, the
/// amounts per line, per VAT rate and in total, and where its renderings are.
struct InvoiceObject: Content {
    /// The same shapes as the settings' (an invoice copies its seller from them).
    typealias Address = InvoiceSettingsObject.Address
    typealias Electronic = InvoiceSettingsObject.Electronic

    struct Party: Content, Equatable {
        var name: String
        @AlwaysEncoded var address: Address?
        @AlwaysEncoded var vatID: String?
        @AlwaysEncoded var taxCode: String?
        @AlwaysEncoded var email: String?
        @AlwaysEncoded var phone: String?
        @AlwaysEncoded var electronicAddress: Electronic?
        @AlwaysEncoded var fiscalRegime: String?

        enum CodingKeys: String, CodingKey {
            case name, address, email, phone
            case vatID = "vat_id"
            case taxCode = "tax_code"
            case electronicAddress = "electronic_address"
            case fiscalRegime = "fiscal_regime"
        }

        init(_ party: InvoiceParty) {
            name = party.name
            address = party.address.map {
                Address(lines: $0.lines, city: $0.city, postalCode: $0.postalCode, region: $0.region, country: $0.countryCode)
            }
            vatID = party.vatID
            taxCode = party.taxCode
            email = party.email
            phone = party.phone
            electronicAddress = party.electronicAddress.map { Electronic(scheme: $0.scheme, identifier: $0.identifier) }
            fiscalRegime = party.fiscalRegime
        }
    }

    struct Line: Content {
        var description: String
        var quantity: Int64
        var unitAmount: Int64
        var amountIncludesVAT: Bool
        var vatRate: InvoiceSettingsObject.Rate
        var net: Int64
        var vat: Int64
        var gross: Int64

        enum CodingKeys: String, CodingKey {
            case description, quantity, net, vat, gross
            case unitAmount = "unit_amount"
            case amountIncludesVAT = "amount_includes_vat"
            case vatRate = "vat_rate"
        }
    }

    struct Subtotal: Content {
        var vatRate: InvoiceSettingsObject.Rate
        var taxable: Int64
        var vat: Int64

        enum CodingKeys: String, CodingKey {
            case taxable, vat
            case vatRate = "vat_rate"
        }
    }

    struct Payment: Content, Equatable {
        var date: String
        var method: String
        @AlwaysEncoded var methodDisplay: String?
        /// PayHub's payment intent (invoice) or refund (credit note).
        var transaction: String
        var provider: String
        @AlwaysEncoded var providerReference: String?

        enum CodingKeys: String, CodingKey {
            case date, method, transaction, provider
            case methodDisplay = "method_display"
            case providerReference = "provider_reference"
        }
    }

    struct Links: Content {
        var pdf: String
        var ubl: String
        var fatturapa: String
    }

    var id: String
    var object: String
    var livemode: Bool
    var status: String
    var number: String
    var issueDate: String
    var currency: String
    var locale: String
    var seller: Party
    var buyer: Party
    var lines: [Line]
    var vatBreakdown: [Subtotal]
    var amountNet: Int64
    var amountVAT: Int64
    var amountTotal: Int64
    @AlwaysEncoded var payment: Payment?
    var paymentIntent: String
    @AlwaysEncoded var refund: String?
    @AlwaysEncoded var invoice: String?
    @AlwaysEncoded var invoiceNumber: String?
    var links: Links
    var created: Int64

    enum CodingKeys: String, CodingKey {
        case id, object, livemode, status, number, currency, locale, seller, buyer, lines, payment, refund, invoice, links, created
        case issueDate = "issue_date"
        case vatBreakdown = "vat_breakdown"
        case amountNet = "amount_net"
        case amountVAT = "amount_vat"
        case amountTotal = "amount_total"
        case paymentIntent = "payment_intent"
        case invoiceNumber = "invoice_number"
    }
}

extension Presenter {
    static func invoice(_ record: InvoiceRecord, publicBaseURL: String) -> InvoiceObject {
        let document = record.document
        let collection = record.kind == .invoice ? "invoices" : "credit_notes"
        let base = "\(publicBaseURL)/v1/\(collection)/\(record.id)"
        return InvoiceObject(
            id: record.id, object: record.kind.rawValue, livemode: record.scope.livemode, status: record.status.rawValue,
            number: document.number, issueDate: document.issueDate.description, currency: document.amounts.currency.code,
            locale: document.locale.rawValue, seller: .init(document.seller), buyer: .init(document.buyer),
            lines: document.amounts.lines.map { line in
                InvoiceObject.Line(
                    description: line.item.description, quantity: line.item.quantity, unitAmount: line.item.unitAmount,
                    amountIncludesVAT: line.item.amountIncludesVAT, vatRate: .init(line.item.vatRate), net: line.net, vat: line.vat,
                    gross: line.gross)
            },
            vatBreakdown: document.amounts.subtotals.map { InvoiceObject.Subtotal(vatRate: .init($0.rate), taxable: $0.taxable, vat: $0.vat) },
            amountNet: document.amounts.net, amountVAT: document.amounts.vat, amountTotal: document.amounts.gross,
            payment: document.payment.map {
                InvoiceObject.Payment(
                    date: $0.date.description, method: $0.method, methodDisplay: $0.methodDisplay, transaction: $0.transactionID,
                    provider: $0.provider, providerReference: $0.providerReference)
            },
            paymentIntent: record.paymentIntentID.rawValue, refund: record.refundID?.rawValue, invoice: record.creditedInvoiceID?.rawValue,
            invoiceNumber: document.creditedInvoice?.number,
            links: InvoiceObject.Links(pdf: base + "/pdf", ubl: base + "/ubl", fatturapa: base + "/fatturapa"),
            created: Presenter.unix(record.createdAt))
    }
}
