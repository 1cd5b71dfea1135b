import Foundation
import PayHubCore
import SQLKit

/// The only code that reads or writes `provider_accounts`. Credentials stay sealed in the records it returns.
struct ProviderAccountRepository: Sendable {
    private typealias Accounts = ProviderAccountModel

    func account(_ id: ProviderAccountID, in scope: TenantScope, on db: any SQLDatabase) async throws -> ProviderAccountRecord? {
        try await db.raw(ScopedSelect.byID(id.rawValue, from: Accounts.schema, columns: Accounts.columns, in: scope))
            .first().map { try Accounts(row: $0).record() }
    }

    /// The scope's enabled accounts, oldest first, optionally with one provider only.
    func enabled(in scope: TenantScope, provider: String?, on db: any SQLDatabase) async throws -> [ProviderAccountRecord] {
        let providerFilter: SQLQueryString = provider.map { "AND provider = \(bind: $0)" } ?? ""
        return try await db.raw("""
            SELECT \(unsafeRaw: Accounts.columns) FROM provider_accounts \
            WHERE merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode) \
            AND disabled_at IS NULL \(providerFilter) ORDER BY created_at, id
            """).all().map { try Accounts(row: $0).record() }
    }

    /// The account, whoever's it is: for a provider's webhook, whose URL names only the account, and the sandbox's
    /// simulated settlements. The record carries its scope.
    func accountAcrossTenants(_ id: ProviderAccountID, on db: any SQLDatabase) async throws -> ProviderAccountRecord? {
        try await db.raw("SELECT \(unsafeRaw: Accounts.columns) FROM provider_accounts WHERE id = \(bind: id.rawValue)")
            .first().map { try Accounts(row: $0).record() }
    }

    /// Adds the account and bumps its scope's checkout configuration version (the methods its pages offer change).
    func insert(_ account: ProviderAccountRecord, on tx: any SQLDatabase) async throws {
        try await CheckoutConfigurationVersionRepository().bump(in: account.scope, on: tx)
        let values: [any Encodable & Sendable] = [
            account.id.rawValue, account.scope.merchantID, account.scope.livemode, account.provider, account.name,
            account.credentials.sealed, account.createdAt, account.disabledAt,
        ]
        try await tx.raw("INSERT INTO provider_accounts (\(unsafeRaw: Accounts.columns)) VALUES (\(binds: values))").run()
    }
}
