import Foundation
import PayHubCore
import SQLKit

/// Checkout settings: the only code on `checkout_settings` and `checkout_allowed_origins`. Stored origins are parsed
/// again when read, so a row that a later rule refuses is an error, never an origin that is let in.
struct CheckoutSettingsRepository: Sendable {
    func settings(in scope: TenantScope, on db: any SQLDatabase) async throws -> CheckoutSettingsRecord {
        guard let row = try await db.raw("""
            SELECT updated_at, default_locale FROM checkout_settings \
            WHERE merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode)
            """).first()
        else { return CheckoutSettingsRecord(scope: scope, allowedOrigins: [], updatedAt: nil) }
        let rows = try await db.raw("""
            SELECT origin FROM checkout_allowed_origins \
            WHERE merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode) ORDER BY position
            """).all()
        let origins = try rows.map { row in
            let stored = try row.decode(column: "origin", as: String.self)
            guard let origin = try? EmbeddingOrigin(parsing: stored, livemode: scope.livemode), origin.description == stored else {
                throw StoredValueInvalid(table: "checkout_allowed_origins", column: "origin", id: scope.merchantID)
            }
            return origin
        }
        var locale = CustomerLocale.en
        if let stored = try row.decode(column: "default_locale", as: String?.self) {
            guard let parsed = CustomerLocale(rawValue: stored) else {
                throw StoredValueInvalid(table: "checkout_settings", column: "default_locale", id: scope.merchantID)
            }
            locale = parsed
        }
        return CheckoutSettingsRecord(
            scope: scope, allowedOrigins: origins, defaultLocale: locale, updatedAt: try row.decode(column: "updated_at", as: Date.self))
    }

    /// Whether the scope allows `origin` (normalised, as `EmbeddingOrigin.description` writes it).
    func allows(_ origin: String, in scope: TenantScope, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("""
            SELECT 1 AS found FROM checkout_allowed_origins WHERE origin = \(bind: origin) \
            AND merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode)
            """).first() != nil
    }

    /// Whether any merchant, in either mode, allows `origin`: all a CORS preflight can know.
    func allowsAnywhere(_ origin: String, for _: SystemScope, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("SELECT 1 AS found FROM checkout_allowed_origins WHERE origin = \(bind: origin) LIMIT 1").first() != nil
    }

    /// Writes the scope's settings, replacing the ones before, and bumps the checkout configuration's version.
    func save(_ record: CheckoutSettingsRecord, at now: Date, on tx: any SQLDatabase) async throws {
        let scope = record.scope
        try await CheckoutConfigurationVersionRepository().bump(in: scope, on: tx)
        try await tx.raw("""
            INSERT INTO checkout_settings (merchant_id, livemode, updated_at, default_locale) \
            VALUES (\(bind: scope.merchantID), \(bind: scope.livemode), \(bind: now), \(bind: record.defaultLocale.rawValue)) \
            ON CONFLICT (merchant_id, livemode) DO UPDATE SET updated_at = \(bind: now), default_locale = \(bind: record.defaultLocale.rawValue)
            """).run()
        try await tx.raw("""
            DELETE FROM checkout_allowed_origins WHERE merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode)
            """).run()
        for (position, origin) in record.allowedOrigins.enumerated() {
            try await tx.raw("""
                INSERT INTO checkout_allowed_origins (merchant_id, livemode, position, origin) \
                VALUES (\(bind: scope.merchantID), \(bind: scope.livemode), \(bind: position), \(bind: origin.description))
                """).run()
        }
    }
}
