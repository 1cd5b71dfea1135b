import Fluent
import SQLKit

/// Objects remember the `Idempotency-Key` that created them (keys expire after 24 hours and may then be reused,
/// so the index is not unique), so a retry after a crash finds them instead of
/// creating them twice.
struct M007_AddIdempotencyKeysToObjects: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema("payment_intents").field("idempotency_key", .string).update()
        try await database.schema("refunds").field("idempotency_key", .string).update()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "payment_intents_idempotency_key")
            .on("payment_intents").column("merchant_id").column("livemode").column("idempotency_key").run()
        try await sql.create(index: "refunds_idempotency_key")
            .on("refunds").column("merchant_id").column("livemode").column("idempotency_key").run()
    }

    func revert(on database: Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: "payment_intents_idempotency_key").run()
        try await sql.drop(index: "refunds_idempotency_key").run()
        try await database.schema("payment_intents").deleteField("idempotency_key").update()
        try await database.schema("refunds").deleteField("idempotency_key").update()
    }
}
