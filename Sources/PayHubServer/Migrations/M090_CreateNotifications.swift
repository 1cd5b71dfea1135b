import Fluent
import SQLKit

/// The notification outbox: one row per email or SMS, with its texts rendered when it was enqueued, its status and
/// the claim (`lease_token`, `lease_until`) of the send in progress; one row per send attempt; and the merchants'
/// template overrides, one per event, locale and mode.
struct M090_CreateNotifications: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema("notifications")
            .field("id", .string, .identifier(auto: false))
            .field("merchant_id", .string, .required, .references("merchants", "id"))
            .field("livemode", .bool, .required)
            .field("event", .string, .required)
            .field("channel", .string, .required)
            .field("recipient", .string, .required)
            .field("locale", .string, .required)
            .field("subject", .string)
            .field("body_text", .string)
            .field("body_html", .string)
            .field("status", .string, .required)
            .field("attempts", .int64, .required)
            .field("next_attempt_at", .datetime)
            .field("sent_at", .datetime)
            .field("last_error", .string)
            .field("gateway_message_id", .string)
            .field("payment_intent_id", .string)
            .field("payment_link_id", .string)
            .field("lease_token", .string)
            .field("lease_until", .datetime)
            .field("idempotency_key", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.schema("notification_attempts")
            .field("id", .string, .identifier(auto: false))
            .field("notification_id", .string, .required, .references("notifications", "id"))
            .field("number", .int64, .required)
            .field("started_at", .datetime, .required)
            .field("finished_at", .datetime)
            .field("outcome", .string)
            .field("error", .string)
            .field("gateway_message_id", .string)
            .unique(on: "notification_id", "number")
            .create()
        try await database.schema("notification_templates")
            .field("merchant_id", .string, .required, .references("merchants", "id"))
            .field("livemode", .bool, .required)
            .field("event", .string, .required)
            .field("locale", .string, .required)
            .field("subject", .string, .required)
            .field("body_text", .string, .required)
            .field("body_html", .string, .required)
            .field("sms", .string, .required)
            .field("enabled", .bool, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "merchant_id", "livemode", "event", "locale")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "notifications_merchant_created")
            .on("notifications").column("merchant_id").column("livemode").column("created_at").run()
        try await sql.create(index: "notifications_payment_intent")
            .on("notifications").column("payment_intent_id").run()
        try await sql.create(index: "notifications_payment_link")
            .on("notifications").column("payment_link_id").run()
    }

    func revert(on database: Database) async throws {
        try await database.schema("notification_templates").delete()
        try await database.schema("notification_attempts").delete()
        try await database.schema("notifications").delete()
    }
}
