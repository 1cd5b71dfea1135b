import Fluent
import SQLKit

struct M006_CreateIdempotencyKeys: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema("idempotency_keys")
            .field("id", .string, .identifier(auto: false))
            .field("merchant_id", .string, .required)
            .field("livemode", .bool, .required)
            .field("key", .string, .required)
            .field("fingerprint", .string, .required)
            .field("state", .string, .required)
            .field("response_status", .int)
            .field("response_body", .string)
            .field("locked_at", .datetime, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .unique(on: "merchant_id", "livemode", "key")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "idempotency_keys_expires").on("idempotency_keys").column("expires_at").run()
    }

    func revert(on database: Database) async throws {
        try await database.schema("idempotency_keys").delete()
    }
}
