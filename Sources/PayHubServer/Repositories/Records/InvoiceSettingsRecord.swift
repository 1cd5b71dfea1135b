import Foundation
import PayHubCore

/// What a merchant says about itself on its invoices, in one mode. Validated when saved (`InvoiceSettingsInput`)
/// and again when read.
struct InvoiceSettings: Sendable, Equatable {
    var legalName: String
    var address: PostalAddress?
    var vatID: String?
    var taxCode: String?
    var email: String?
    var phone: String?
    /// Before the year in every invoice number: `F` gives `F-2026-000123`; nil gives `2026-000123`.
    var numberPrefix: String?
    /// Before the year in every credit note number (its own sequence): `CN` gives `CN-2026-000001`.
    var creditNotePrefix: String
    /// The rate of an invoice line that has none of its own (a payment of a fixed amount, VAT included).
    var defaultVATRate: VATRate
    /// The zone of the issue and payment dates, an IANA name such as `Europe/Rome`.
    var timeZone: String
    var electronicAddress: ElectronicAddress?
    var fiscalRegime: String?
    var defaultLocale: CustomerLocale

    static let defaultCreditNotePrefix = "CN"

    /// Before a merchant saves any: its name, no VAT (outside its scope), UTC, English.
    static func fallback(merchantName: String) -> InvoiceSettings {
        InvoiceSettings(
            legalName: merchantName, address: nil, vatID: nil, taxCode: nil, email: nil, phone: nil, numberPrefix: nil,
            creditNotePrefix: defaultCreditNotePrefix, defaultVATRate: try! VATRate(basisPoints: 0, category: .outOfScope), timeZone: "UTC",
            electronicAddress: nil, fiscalRegime: nil, defaultLocale: .en)
    }

    var zone: TimeZone { TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")! }
}

struct InvoiceSettingsRecord: Sendable, Equatable {
    let scope: TenantScope
    var settings: InvoiceSettings
    var logo: InvoiceLogo?
    /// Nil while the merchant never saved any (the settings are then `InvoiceSettings.fallback`).
    var updatedAt: Date?
}
