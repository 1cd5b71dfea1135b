import Fluent
import SQLKit

struct M004_CreateRefunds: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema("refunds")
            .field("id", .string, .identifier(auto: false))
            .field("merchant_id", .string, .required, .references("merchants", "id"))
            .field("livemode", .bool, .required)
            .field("payment_intent_id", .string, .required, .references("payment_intents", "id"))
            .field("attempt_id", .string, .required)
            .field("provider", .string, .required)
            .field("provider_account_id", .string, .required)
            .field("amount", .int64, .required)
            .field("currency", .string, .required)
            .field("status", .string, .required)
            .field("reason", .string)
            .field("failure_reason", .string)
            .field("provider_reference", .string)
            .field("metadata", .string, .required)
            .field("poll_lease_until", .datetime)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "refunds_merchant_created")
            .on("refunds").column("merchant_id").column("livemode").column("created_at").run()
        try await sql.create(index: "refunds_intent").on("refunds").column("payment_intent_id").run()
        try await sql.create(index: "refunds_reference").on("refunds").column("provider").column("provider_reference").run()
        try await sql.create(index: "refunds_status_updated").on("refunds").column("status").column("updated_at").run()
    }

    func revert(on database: Database) async throws {
        try await database.schema("refunds").delete()
    }
}
