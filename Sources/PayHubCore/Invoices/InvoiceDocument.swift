import Foundation

/// Everything an invoice or credit note shows, once finalised: what the PDF, UBL and FatturaPA renderers read.
/// It never changes after its number is given.
public struct InvoiceDocument: Equatable, Sendable {
    public enum Kind: String, Sendable, Codable {
        case invoice
        case creditNote = "credit_note"
    }

    public var kind: Kind
    /// Sequential per merchant and year, e.g. `2026-000123` (see `InvoiceNumber`).
    public var number: String
    public var issueDate: CalendarDate
    public var seller: InvoiceParty
    public var buyer: InvoiceParty
    public var amounts: InvoiceAmounts
    /// How it was paid (an invoice) or refunded (a credit note).
    public var payment: InvoicePayment?
    /// The invoice a credit note corrects.
    public var creditedInvoice: InvoiceReference?
    /// The language of the PDF's labels.
    public var locale: CustomerLocale
    public var note: String?
    public var logo: InvoiceLogo?

    public init(
        kind: Kind, number: String, issueDate: CalendarDate, seller: InvoiceParty, buyer: InvoiceParty, amounts: InvoiceAmounts,
        payment: InvoicePayment?, creditedInvoice: InvoiceReference?, locale: CustomerLocale, note: String? = nil, logo: InvoiceLogo? = nil
    ) {
        self.kind = kind
        self.number = number
        self.issueDate = issueDate
        self.seller = seller
        self.buyer = buyer
        self.amounts = amounts
        self.payment = payment
        self.creditedInvoice = creditedInvoice
        self.locale = locale
        self.note = note
        self.logo = logo
    }
}

/// A day of the calendar, without a time or a zone: an invoice's issue date, `2026-12-01`.
public struct CalendarDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The day `date` falls on in `timeZone`.
    public init(_ date: Date, in timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        self.init(year: parts.year!, month: parts.month!, day: parts.day!)
    }

    /// ISO 8601, `YYYY-MM-DD`.
    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }
}

/// A seller or a buyer.
public struct InvoiceParty: Equatable, Sendable, Codable {
    public var name: String
    public var address: PostalAddress?
    /// With its country prefix, e.g. `IT01234567890`.
    public var vatID: String?
    /// A national tax code, e.g. the Italian codice fiscale.
    public var taxCode: String?
    public var email: String?
    public var phone: String?
    /// Where e-invoices reach the party (Peppol's endpoint, BT-34/BT-49), e.g. scheme `0211` (an Italian VAT
    /// number) or `EM` (an email address).
    public var electronicAddress: ElectronicAddress?
    /// FatturaPA: the seller's tax regime (`RegimeFiscale`, e.g. `RF01`).
    public var fiscalRegime: String?
    /// FatturaPA: the buyer's recipient code (`CodiceDestinatario`, 7 characters; `0000000` for a private person).
    public var recipientCode: String?
    /// FatturaPA: the buyer's certified email (`PECDestinatario`).
    public var certifiedEmail: String?

    public init(
        name: String, address: PostalAddress?, vatID: String? = nil, taxCode: String? = nil, email: String? = nil, phone: String? = nil,
        electronicAddress: ElectronicAddress? = nil, fiscalRegime: String? = nil, recipientCode: String? = nil, certifiedEmail: String? = nil
    ) {
        self.electronicAddress = electronicAddress
        self.fiscalRegime = fiscalRegime
        self.recipientCode = recipientCode
        self.certifiedEmail = certifiedEmail
        self.name = name
        self.address = address
        self.vatID = vatID
        self.taxCode = taxCode
        self.email = email
        self.phone = phone
    }
}

/// An electronic address with its scheme from the EAS code list (CEF).
public struct ElectronicAddress: Equatable, Sendable, Codable {
    public var scheme: String
    public var identifier: String

    public init(scheme: String, identifier: String) {
        self.scheme = scheme
        self.identifier = identifier
    }
}

public struct PostalAddress: Equatable, Sendable, Codable {
    public var lines: [String]
    public var city: String
    public var postalCode: String?
    /// A region or province, e.g. `MI`.
    public var region: String?
    /// ISO 3166-1 alpha-2, upper case.
    public var countryCode: String

    public init(lines: [String], city: String, postalCode: String?, region: String? = nil, countryCode: String) {
        self.lines = lines
        self.city = city
        self.postalCode = postalCode
        self.region = region
        self.countryCode = countryCode
    }
}

/// How an invoice was paid, or a credit note refunded.
public struct InvoicePayment: Equatable, Sendable {
    public var date: CalendarDate
    /// The method type, `card`, `mobile_money`, ...
    public var method: String
    /// What the customer recognises, e.g. `visa •••• 4242`.
    public var methodDisplay: String?
    /// PayHub's id of the payment intent or refund.
    public var transactionID: String
    public var provider: String
    public var providerReference: String?

    public init(date: CalendarDate, method: String, methodDisplay: String?, transactionID: String, provider: String, providerReference: String?) {
        self.date = date
        self.method = method
        self.methodDisplay = methodDisplay
        self.transactionID = transactionID
        self.provider = provider
        self.providerReference = providerReference
    }
}

public struct InvoiceReference: Equatable, Sendable {
    public var number: String
    public var issueDate: CalendarDate

    public init(number: String, issueDate: CalendarDate) {
        self.number = number
        self.issueDate = issueDate
    }
}

/// The merchant's logo, PNG or JPEG.
public struct InvoiceLogo: Equatable, Sendable {
    public enum MediaType: String, Sendable { case png = "image/png", jpeg = "image/jpeg" }
    public var mediaType: MediaType
    public var bytes: [UInt8]

    public init(mediaType: MediaType, bytes: [UInt8]) {
        self.mediaType = mediaType
        self.bytes = bytes
    }
}
