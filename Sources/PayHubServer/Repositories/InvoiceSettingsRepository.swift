import Foundation
import PayHubCore
import SQLKit

/// Invoice settings: the only code on `invoice_settings`. A stored document that no longer passes the rules is an
/// error when read, never a default.
struct InvoiceSettingsRepository: Sendable {
    /// The stored settings, or nil when the merchant never saved any.
    func settings(in scope: TenantScope, on db: any SQLDatabase) async throws -> InvoiceSettingsRecord? {
        guard let row = try await db.raw("""
            SELECT settings, logo, logo_media_type, updated_at FROM invoice_settings \
            WHERE merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode)
            """).first()
        else { return nil }
        let invalid = StoredValueInvalid(table: "invoice_settings", column: "settings", id: scope.merchantID)
        guard let stored = JSONText.decode(StoredInvoiceSettings.self, from: try row.decode(column: "settings", as: String.self)),
              let settings = stored.settings()
        else { throw invalid }
        var logo: InvoiceLogo?
        if let type = try row.decode(column: "logo_media_type", as: String?.self) {
            guard let mediaType = InvoiceLogo.MediaType(rawValue: type), let bytes = try row.decode(column: "logo", as: Data?.self) else {
                throw StoredValueInvalid(table: "invoice_settings", column: "logo", id: scope.merchantID)
            }
            logo = InvoiceLogo(mediaType: mediaType, bytes: Array(bytes))
        }
        return InvoiceSettingsRecord(
            scope: scope, settings: settings, logo: logo, updatedAt: try row.decode(column: "updated_at", as: Date.self))
    }

    /// Writes the scope's settings, replacing the ones before.
    func save(_ record: InvoiceSettingsRecord, at now: Date, on tx: any SQLDatabase) async throws {
        let scope = record.scope
        let text = JSONText.encode(StoredInvoiceSettings(record.settings))
        let logo = record.logo.map { Data($0.bytes) }
        let mediaType = record.logo?.mediaType.rawValue
        try await tx.raw("""
            INSERT INTO invoice_settings (merchant_id, livemode, settings, logo, logo_media_type, updated_at) \
            VALUES (\(bind: scope.merchantID), \(bind: scope.livemode), \(bind: text), \(bind: logo), \(bind: mediaType), \(bind: now)) \
            ON CONFLICT (merchant_id, livemode) DO UPDATE SET settings = \(bind: text), logo = \(bind: logo), \
            logo_media_type = \(bind: mediaType), updated_at = \(bind: now)
            """).run()
    }
}

/// `InvoiceSettings` as JSON, the rate in its parts (so reading it runs `VATRate`'s rules again).
struct StoredInvoiceSettings: Codable {
    var legalName: String
    var address: PostalAddress?
    var vatID: String?
    var taxCode: String?
    var email: String?
    var phone: String?
    var numberPrefix: String?
    var creditNotePrefix: String
    var vatBasisPoints: Int64
    var vatCategory: String
    var vatExemptionReason: String?
    var timeZone: String
    var electronicAddress: ElectronicAddress?
    var fiscalRegime: String?
    var defaultLocale: CustomerLocale

    init(_ settings: InvoiceSettings) {
        legalName = settings.legalName
        address = settings.address
        vatID = settings.vatID
        taxCode = settings.taxCode
        email = settings.email
        phone = settings.phone
        numberPrefix = settings.numberPrefix
        creditNotePrefix = settings.creditNotePrefix
        vatBasisPoints = settings.defaultVATRate.basisPoints
        vatCategory = settings.defaultVATRate.category.rawValue
        vatExemptionReason = settings.defaultVATRate.exemptionReason
        timeZone = settings.timeZone
        electronicAddress = settings.electronicAddress
        fiscalRegime = settings.fiscalRegime
        defaultLocale = settings.defaultLocale
    }

    func settings() -> InvoiceSettings? {
        guard let category = VATRate.Category(rawValue: vatCategory),
              let rate = try? VATRate(basisPoints: vatBasisPoints, category: category, exemptionReason: vatExemptionReason),
              TimeZone(identifier: timeZone) != nil
        else { return nil }
        return InvoiceSettings(
            legalName: legalName, address: address, vatID: vatID, taxCode: taxCode, email: email, phone: phone, numberPrefix: numberPrefix,
            creditNotePrefix: creditNotePrefix, defaultVATRate: rate, timeZone: timeZone, electronicAddress: electronicAddress,
            fiscalRegime: fiscalRegime, defaultLocale: defaultLocale)
    }
}
