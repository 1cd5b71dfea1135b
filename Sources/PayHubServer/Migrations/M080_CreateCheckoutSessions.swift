import Fluent
import SQLKit

/// Checkout sessions: one order, one payment intent (unique: a session owns its intent), a status and an expiry.
/// Line items are JSON with their amounts worked out; the totals are columns.
struct M080_CreateCheckoutSessions: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema("checkout_sessions")
            .field("id", .string, .identifier(auto: false))
            .field("merchant_id", .string, .required, .references("merchants", "id"))
            .field("livemode", .bool, .required)
            .field("status", .string, .required)
            .field("payment_intent_id", .string, .required, .references("payment_intents", "id"))
            .field("currency", .string, .required)
            .field("amount_subtotal", .int64, .required)
            .field("amount_tax", .int64, .required)
            .field("amount_total", .int64, .required)
            .field("line_items", .string, .required)
            .field("customer", .string)
            .field("customer_reference", .string)
            .field("purchase_reference", .string)
            .field("success_url", .string)
            .field("cancel_url", .string)
            .field("locale", .string, .required)
            .field("user_type", .string)
            .field("channel", .string)
            .field("country", .string)
            .field("metadata", .string, .required)
            .field("expires_at", .datetime, .required)
            .field("completed_at", .datetime)
            .field("expired_at", .datetime)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("idempotency_key", .string)
            .unique(on: "payment_intent_id")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "checkout_sessions_merchant_created")
            .on("checkout_sessions").column("merchant_id").column("livemode").column("created_at").run()
        try await sql.create(index: "checkout_sessions_idempotency_key")
            .on("checkout_sessions").column("merchant_id").column("livemode").column("idempotency_key").run()
    }

    func revert(on database: Database) async throws {
        try await database.schema("checkout_sessions").delete()
    }
}
