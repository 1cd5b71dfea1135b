import Fluent
import Foundation
import PayHubCore
import SQLKit

/// The merchant's invoice settings, per mode. Invoices copy them when they are issued, so a change applies to the
/// invoices issued after it and never to one already finalised.
struct InvoiceSettingsService: Sendable {
    let context: PayHubContext
    let db: any Database
    private var settings: InvoiceSettingsRepository { InvoiceSettingsRepository() }

    func retrieve(principal: Principal) async throws -> InvoiceSettingsRecord {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        return try await Self.current(in: principal.scope, on: context.transactor.reader(db))
    }

    func update(_ input: UpdateInvoiceSettingsRequest, principal: Principal) async throws -> InvoiceSettingsRecord {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        let (values, logo) = try InvoiceSettingsRules.settings(input)
        return try await save(InvoiceSettingsRecord(scope: principal.scope, settings: values, logo: logo, updatedAt: nil))
    }

    /// Saves the settings of `payhub serve`'s demo merchant unless it has some already.
    func seedDemo(_ values: InvoiceSettings, in scope: TenantScope) async throws {
        guard try await settings.settings(in: scope, on: context.transactor.reader(db)) == nil else { return }
        _ = try await save(InvoiceSettingsRecord(scope: scope, settings: values, logo: nil, updatedAt: nil))
    }

    private func save(_ record: InvoiceSettingsRecord) async throws -> InvoiceSettingsRecord {
        let now = context.clock.now()
        let settings = self.settings
        return try await context.transactor.writeSQL(on: db) { tx in
            var record = record
            record.updatedAt = now
            try await settings.save(record, at: now, on: tx)
            return record
        }
    }

    /// The settings in force: the stored ones, else the fallback made of the merchant's name.
    static func current(in scope: TenantScope, on db: any SQLDatabase) async throws -> InvoiceSettingsRecord {
        if let stored = try await InvoiceSettingsRepository().settings(in: scope, on: db) { return stored }
        guard let merchant = try await MerchantRepository().find(try MerchantID(parsing: scope.merchantID), on: db) else {
            throw ServiceError.notFound("merchant", id: scope.merchantID)
        }
        return InvoiceSettingsRecord(scope: scope, settings: .fallback(merchantName: merchant.name), logo: nil, updatedAt: nil)
    }

    /// What the demo merchant's invoices show.
    static let demo = InvoiceSettings(
        legalName: "Demo Shop S.r.l.",
        address: PostalAddress(lines: ["Via Roma 1"], city: "Milano", postalCode: "20121", region: "MI", countryCode: "IT"),
        vatID: "IT01234567890", taxCode: "01234567890", email: "billing@demo-shop.example", phone: "+39 02 1234567",
        numberPrefix: nil, creditNotePrefix: InvoiceSettings.defaultCreditNotePrefix,
        defaultVATRate: try! VATRate(basisPoints: 2200, category: .standard), timeZone: "Europe/Rome",
        electronicAddress: ElectronicAddress(scheme: "0211", identifier: "IT01234567890"), fiscalRegime: "RF01", defaultLocale: .it)
}
