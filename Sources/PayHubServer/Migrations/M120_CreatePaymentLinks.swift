import Fluent
import SQLKit

/// Payment links: an order (amount or line items, their totals worked out as a session's), whom it is for, how it
/// may be paid (single-use or reusable up to `max_payments`), its status and what PayHub knows of its delivery.
/// `payment_link_sessions` names the checkout sessions opened through each link (a session belongs to at most
/// one link); `current_session_id` is a single-use link's one session. `checkout_session_id` is set on a link
/// made from a shop's session (the customer asked for it on the checkout page): opening it resumes that session.
struct M120_CreatePaymentLinks: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema("payment_links")
            .field("id", .string, .identifier(auto: false))
            .field("merchant_id", .string, .required, .references("merchants", "id"))
            .field("livemode", .bool, .required)
            .field("status", .string, .required)
            .field("reusable", .bool, .required)
            .field("max_payments", .int)
            .field("payments_count", .int, .required)
            .field("currency", .string, .required)
            .field("amount_subtotal", .int64, .required)
            .field("amount_tax", .int64, .required)
            .field("amount_total", .int64, .required)
            .field("line_items", .string, .required)
            .field("description", .string)
            .field("customer", .string)
            .field("success_url", .string)
            .field("user_type", .string)
            .field("channel", .string, .required)
            .field("country", .string)
            .field("metadata", .string, .required)
            .field("checkout_session_id", .string, .references("checkout_sessions", "id"))
            .field("current_session_id", .string, .references("checkout_sessions", "id"))
            .field("sent_via", .string)
            .field("sent_at", .datetime)
            .field("delivered_at", .datetime)
            .field("opened_at", .datetime)
            .field("reminder_sent_at", .datetime)
            .field("expires_at", .datetime, .required)
            .field("completed_at", .datetime)
            .field("deactivated_at", .datetime)
            .field("expired_at", .datetime)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("idempotency_key", .string)
            .create()
        try await database.schema("payment_link_sessions")
            .field("checkout_session_id", .string, .identifier(auto: false), .references("checkout_sessions", "id"))
            .field("payment_link_id", .string, .required, .references("payment_links", "id"))
            .field("merchant_id", .string, .required, .references("merchants", "id"))
            .field("livemode", .bool, .required)
            .field("created_at", .datetime, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "payment_links_merchant_created")
            .on("payment_links").column("merchant_id").column("livemode").column("created_at").run()
        try await sql.create(index: "payment_links_idempotency_key")
            .on("payment_links").column("merchant_id").column("livemode").column("idempotency_key").run()
        // One link per shop session, even if two customers' requests raced.
        try await sql.raw("""
            CREATE UNIQUE INDEX payment_links_checkout_session ON payment_links (checkout_session_id) \
            WHERE checkout_session_id IS NOT NULL
            """).run()
        try await sql.create(index: "payment_link_sessions_link")
            .on("payment_link_sessions").column("payment_link_id").run()
    }

    func revert(on database: Database) async throws {
        try await database.schema("payment_link_sessions").delete()
        try await database.schema("payment_links").delete()
    }
}
