import Foundation
import SQLKit

/// The only code on `checkout_configuration_versions`: the number of changes to what a merchant's checkout pages
/// share in one mode (theme, rules, provider accounts, checkout settings). The repositories that write those call
/// `bump` inside the writing transaction, so the new number and the change commit together.
struct CheckoutConfigurationVersionRepository: Sendable {
    /// Counts one more change. On PostgreSQL the row stays locked until the transaction ends, so bumps take turns.
    func bump(in scope: TenantScope, on tx: any SQLDatabase) async throws {
        try await tx.raw("""
            INSERT INTO checkout_configuration_versions (merchant_id, livemode, version) \
            VALUES (\(bind: scope.merchantID), \(bind: scope.livemode), 1) \
            ON CONFLICT (merchant_id, livemode) DO UPDATE SET version = checkout_configuration_versions.version + 1
            """).run()
    }

    /// The number of changes so far: 0 before the first.
    func version(in scope: TenantScope, on db: any SQLDatabase) async throws -> Int64 {
        guard let row = try await db.raw("""
            SELECT version FROM checkout_configuration_versions \
            WHERE merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode)
            """).first()
        else { return 0 }
        return try row.decode(column: "version", as: Int64.self)
    }
}
