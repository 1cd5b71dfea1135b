import Fluent
import SQLKit

/// What the SMS gateway later reports of a sent message (Twilio's status callback): its delivery status, the
/// gateway's error code when it was not delivered, and when it was delivered; found by the gateway's message id.
struct M125_AddDeliveryReportsToNotifications: AsyncMigration {
    func prepare(on database: Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        try await database.schema("notifications").field("delivery_status", .string).update()
        try await database.schema("notifications").field("delivery_error", .string).update()
        try await database.schema("notifications").field("delivered_at", .datetime).update()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "notifications_gateway_message").on("notifications").column("gateway_message_id").run()
    }

    func revert(on database: Database) async throws {
        if let sql = database as? any SQLDatabase {
            try await sql.drop(index: "notifications_gateway_message").run()
        }
        for column in ["delivery_status", "delivery_error", "delivered_at"] {
            try await database.schema("notifications").deleteField(.key(.init(stringLiteral: column))).update()
        }
    }
}
