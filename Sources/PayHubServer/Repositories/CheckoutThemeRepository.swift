import Foundation
import PayHubCore
import SQLKit

/// Checkout themes: the only code on `checkout_themes`. A stored theme is validated again when read, so a value
/// that a later rule refuses is an error, never a page with it.
struct CheckoutThemeRepository: Sendable {
    func theme(in scope: TenantScope, on db: any SQLDatabase) async throws -> CheckoutThemeRecord {
        guard let row = try await db.raw("""
            SELECT theme, updated_at FROM checkout_themes \
            WHERE merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode)
            """).first()
        else { return CheckoutThemeRecord(scope: scope, theme: .standard, updatedAt: nil) }
        let invalid = StoredValueInvalid(table: "checkout_themes", column: "theme", id: scope.merchantID)
        guard let stored = JSONText.decode(StoredCheckoutTheme.self, from: try row.decode(column: "theme", as: String.self)),
              let theme = try? CheckoutTheme.standard.applying(stored.changes)
        else { throw invalid }
        return CheckoutThemeRecord(scope: scope, theme: theme, updatedAt: try row.decode(column: "updated_at", as: Date.self))
    }

    /// Writes the scope's theme, replacing the one before, and bumps the checkout configuration's version.
    func save(_ record: CheckoutThemeRecord, at now: Date, on tx: any SQLDatabase) async throws {
        try await CheckoutConfigurationVersionRepository().bump(in: record.scope, on: tx)
        let stored = JSONText.encode(StoredCheckoutTheme(record.theme))
        try await tx.raw("""
            INSERT INTO checkout_themes (merchant_id, livemode, theme, updated_at) \
            VALUES (\(bind: record.scope.merchantID), \(bind: record.scope.livemode), \(bind: stored), \(bind: now)) \
            ON CONFLICT (merchant_id, livemode) DO UPDATE SET theme = \(bind: stored), updated_at = \(bind: now)
            """).run()
    }
}
