import Foundation
import PayHubCore
import SQLKit

/// `Idempotency-Key` records: the only code that reads or writes `idempotency_keys`. Each method is one statement
/// with fixed text, so PostgreSQL can prepare it.
struct IdempotencyRepository: Sendable {
    private static let columns = """
        id, merchant_id, livemode, credential_scope, "key", fingerprint, state, response_status, response_body, \
        locked_at, created_at, expires_at
        """

    /// The scope's record of this key sent with this credential.
    func find(key: String, credentialScope: String, in scope: TenantScope, on db: any SQLDatabase) async throws -> IdempotencyKeyRecord? {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.columns) FROM idempotency_keys WHERE merchant_id = \(bind: scope.merchantID) \
            AND livemode = \(bind: scope.livemode) AND credential_scope = \(bind: credentialScope) AND "key" = \(bind: key)
            """).first().map(Self.record(row:))
    }

    /// Fails with a constraint error when the scope already has the key for this credential.
    func insert(_ record: IdempotencyKeyRecord, on tx: any SQLDatabase) async throws {
        let values: [any Encodable & Sendable] = [
            record.id.rawValue, record.scope.merchantID, record.scope.livemode, record.credentialScope, record.key,
            record.fingerprint, record.state.rawValue, record.response?.status, record.response?.body, record.lockedAt,
            record.createdAt, record.expiresAt,
        ]
        try await tx.raw("INSERT INTO idempotency_keys (\(unsafeRaw: Self.columns)) VALUES (\(binds: values))").run()
    }

    func delete(_ id: IdempotencyKeyID, in scope: TenantScope, on tx: any SQLDatabase) async throws {
        try await tx.raw("""
            DELETE FROM idempotency_keys WHERE id = \(bind: id.rawValue) AND merchant_id = \(bind: scope.merchantID) \
            AND livemode = \(bind: scope.livemode)
            """).run()
    }

    /// Moves the record's lock to `now`, if it still holds `lockedAt`: of concurrent callers, one succeeds.
    func relock(_ id: IdempotencyKeyID, from lockedAt: Date, to now: Date, in scope: TenantScope, on tx: any SQLDatabase) async throws -> Bool {
        try await tx.raw("""
            UPDATE idempotency_keys SET locked_at = \(bind: now) WHERE id = \(bind: id.rawValue) \
            AND merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode) \
            AND locked_at = \(bind: lockedAt) RETURNING id
            """).first() != nil
    }

    /// Stores the response to replay.
    func complete(_ id: IdempotencyKeyID, with response: IdempotencyKeyRecord.StoredResponse, in scope: TenantScope, on tx: any SQLDatabase) async throws {
        try await tx.raw("""
            UPDATE idempotency_keys SET state = \(bind: IdempotencyKeyState.completed.rawValue), \
            response_status = \(bind: response.status), response_body = \(bind: response.body) WHERE id = \(bind: id.rawValue) \
            AND merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode)
            """).run()
    }

    /// Deletes every tenant's records that expired before `now`; returns how many.
    func purge(expiredBefore now: Date, for _: SystemScope, on tx: any SQLDatabase) async throws -> Int {
        let count = try await tx.raw("SELECT COUNT(*) AS count FROM idempotency_keys WHERE expires_at < \(bind: now)")
            .first()?.decode(column: "count", as: Int.self) ?? 0
        try await tx.raw("DELETE FROM idempotency_keys WHERE expires_at < \(bind: now)").run()
        return count
    }

    private static func record(row: any SQLRow) throws -> IdempotencyKeyRecord {
        let id = try row.decode(column: "id", as: String.self)
        let status: Int? = try row.optional("response_status")
        let body: String? = try row.optional("response_body")
        return IdempotencyKeyRecord(
            id: try IdempotencyKeyID(parsing: id),
            scope: try TenantScope(row: row),
            credentialScope: try row.decode(column: "credential_scope", as: String.self),
            key: try row.decode(column: "key", as: String.self),
            fingerprint: try row.decode(column: "fingerprint", as: String.self),
            state: try StoredValueInvalid.parse(
                try row.decode(column: "state", as: String.self), as: IdempotencyKeyState.self, table: "idempotency_keys",
                column: "state", id: id),
            response: try status.map { status in
                guard let body else { throw StoredValueInvalid(table: "idempotency_keys", column: "response_body", id: id) }
                return IdempotencyKeyRecord.StoredResponse(status: status, body: body)
            },
            lockedAt: try row.decode(column: "locked_at", as: Date.self),
            createdAt: try row.decode(column: "created_at", as: Date.self),
            expiresAt: try row.decode(column: "expires_at", as: Date.self))
    }
}
