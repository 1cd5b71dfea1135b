import Foundation
import PayHubCore
import SQLKit

/// Merchants and their API keys: the only code that reads or writes `merchants` and `api_keys`. Each method is one
/// statement with fixed text, so PostgreSQL can prepare it.
struct MerchantRepository: Sendable {
    private static let keyColumns = "id, merchant_id, livemode, kind, key_digest, redacted, rate_limit_per_second, created_at, revoked_at"

    /// A new merchant with its keys, inside the caller's transaction.
    func insert(_ merchant: MerchantRecord, keys: [APIKeyRecord], on tx: any SQLDatabase) async throws {
        try await tx.raw("""
            INSERT INTO merchants (id, name, created_at) VALUES (\(bind: merchant.id.rawValue), \(bind: merchant.name), \
            \(bind: merchant.createdAt))
            """).run()
        for key in keys {
            precondition(key.scope.merchantID == merchant.id.rawValue, "a merchant's keys are its own")
            let values: [any Encodable & Sendable] = [
                key.id.rawValue, key.scope.merchantID, key.scope.livemode, key.kind.rawValue, key.digest, key.redacted,
                key.rateLimitPerSecond, key.createdAt, key.revokedAt,
            ]
            try await tx.raw("INSERT INTO api_keys (\(unsafeRaw: Self.keyColumns)) VALUES (\(binds: values))").run()
        }
    }

    /// The merchant: the tenant itself, in both its modes, so its id is all the scope there is.
    func find(_ id: MerchantID, on db: any SQLDatabase) async throws -> MerchantRecord? {
        try await db.raw("SELECT id, name, created_at FROM merchants WHERE id = \(bind: id.rawValue)").first().map { row in
            MerchantRecord(
                id: try MerchantID(parsing: try row.decode(column: "id", as: String.self)),
                name: try row.decode(column: "name", as: String.self),
                createdAt: try row.decode(column: "created_at", as: Date.self))
        }
    }

    /// Locks the merchant's row until the transaction ends, so writes that count the merchant's objects take turns.
    func lock(_ scope: TenantScope, on tx: any SQLDatabase) async throws {
        try await tx.lockForUpdate("merchants", id: scope.merchantID)
    }

    /// The key with this digest, whoever's it is: authentication, where the key decides the scope.
    func key(digest: String, for _: SystemScope, on db: any SQLDatabase) async throws -> APIKeyRecord? {
        try await db.raw("SELECT \(unsafeRaw: Self.keyColumns) FROM api_keys WHERE key_digest = \(bind: digest)")
            .first().map(Self.key(row:))
    }

    private static func key(row: any SQLRow) throws -> APIKeyRecord {
        let id = try row.decode(column: "id", as: String.self)
        return APIKeyRecord(
            id: try APIKeyID(parsing: id),
            scope: try TenantScope(row: row),
            kind: try StoredValueInvalid.parse(
                try row.decode(column: "kind", as: String.self), as: APIKeyRecord.Kind.self, table: "api_keys", column: "kind", id: id),
            digest: try row.decode(column: "key_digest", as: String.self),
            redacted: try row.decode(column: "redacted", as: String.self),
            rateLimitPerSecond: try row.optional("rate_limit_per_second"),
            createdAt: try row.decode(column: "created_at", as: Date.self),
            revokedAt: try row.optional("revoked_at"))
    }
}
