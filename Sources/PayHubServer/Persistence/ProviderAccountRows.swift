import Foundation
import SQLKit

/// Provider accounts in plain SQL, for choosing the account of each payment attempt.
extension ProviderAccountModel {
    convenience init(row: any SQLRow) throws {
        self.init()
        id = try row.decode(column: "id", as: String.self)
        merchantID = try row.decode(column: "merchant_id", as: String.self)
        livemode = try row.decode(column: "livemode", as: Bool.self)
        provider = try row.decode(column: "provider", as: String.self)
        name = try row.decode(column: "name", as: String.self)
        credentialsSealed = try row.decode(column: "credentials_sealed", as: String.self)
        createdAt = try row.decode(column: "created_at", as: Date.self)
        disabledAt = try row.optional("disabled_at")
    }

    /// The merchant's enabled accounts in this mode, oldest first, optionally with one provider only.
    static func enabled(merchantID: String, livemode: Bool, provider: String?, on db: any SQLDatabase) async throws -> [ProviderAccountModel] {
        let providerFilter: SQLQueryString = provider.map { "AND provider = \(bind: $0)" } ?? ""
        return try await db.raw("""
            SELECT id, merchant_id, livemode, provider, name, credentials_sealed, created_at, disabled_at \
            FROM provider_accounts WHERE merchant_id = \(bind: merchantID) AND livemode = \(bind: livemode) \
            AND disabled_at IS NULL \(providerFilter) ORDER BY created_at, id
            """).all().map(ProviderAccountModel.init(row:))
    }
}
