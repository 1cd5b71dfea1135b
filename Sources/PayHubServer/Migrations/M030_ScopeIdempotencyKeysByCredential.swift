import Fluent
import SQLKit

/// `Idempotency-Key`s are scoped by credential as well as merchant and mode: the secret key's keys and each client
/// token's (one per intent) never meet. The table is rebuilt, since SQLite cannot change a unique constraint.
/// Existing keys are the secret key's, except the answers PayHub no longer stores (401, 403, 409, 429), which are
/// dropped: such a row may be a client token's refusal standing in for the merchant's request.
struct M030_ScopeIdempotencyKeysByCredential: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await rebuild(on: database, scoped: true) { sql in
            try await sql.raw("""
                INSERT INTO idempotency_keys_rebuilt (id, merchant_id, livemode, credential_scope, \(ident: "key"), fingerprint, \
                state, response_status, response_body, locked_at, created_at, expires_at) \
                SELECT id, merchant_id, livemode, 'secret_key', \(ident: "key"), fingerprint, state, \
                response_status, response_body, locked_at, created_at, expires_at FROM idempotency_keys \
                WHERE response_status IS NULL OR response_status NOT IN (401, 403, 409, 429)
                """).run()
        }
    }

    func revert(on database: Database) async throws {
        try await rebuild(on: database, scoped: false) { sql in
            try await sql.raw("""
                INSERT INTO idempotency_keys_rebuilt (id, merchant_id, livemode, \(ident: "key"), fingerprint, state, \
                response_status, response_body, locked_at, created_at, expires_at) \
                SELECT id, merchant_id, livemode, \(ident: "key"), fingerprint, state, response_status, response_body, \
                locked_at, created_at, expires_at FROM idempotency_keys WHERE credential_scope = 'secret_key'
                """).run()
        }
    }

    private func rebuild(
        on database: Database, scoped: Bool, copy: @escaping @Sendable (any SQLDatabase) async throws -> Void
    ) async throws {
        try await database.transaction { tx in
            guard let sql = tx as? any SQLDatabase else { return }
            var table = tx.schema("idempotency_keys_rebuilt")
                .field("id", .string, .identifier(auto: false))
                .field("merchant_id", .string, .required)
                .field("livemode", .bool, .required)
            if scoped { table = table.field("credential_scope", .string, .required) }
            table = table
                .field("key", .string, .required)
                .field("fingerprint", .string, .required)
                .field("state", .string, .required)
                .field("response_status", .int)
                .field("response_body", .string)
                .field("locked_at", .datetime, .required)
                .field("created_at", .datetime, .required)
                .field("expires_at", .datetime, .required)
            table = scoped
                ? table.unique(on: "merchant_id", "livemode", "credential_scope", "key", name: "idempotency_keys_scoped_key")
                : table.unique(on: "merchant_id", "livemode", "key", name: "idempotency_keys_key")
            try await table.create()
            try await copy(sql)
            try await tx.schema("idempotency_keys").delete()
            try await sql.raw("ALTER TABLE idempotency_keys_rebuilt RENAME TO idempotency_keys").run()
            try await sql.create(index: "idempotency_keys_expires").on("idempotency_keys").column("expires_at").run()
        }
    }
}
