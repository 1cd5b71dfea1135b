import Fluent

/// A checkout session may take a subscription's payment (`mode: "subscription"`): which subscription.
struct M141_AddSubscriptionToCheckoutSessions: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema("checkout_sessions").field("subscription_id", .string).update()
    }

    func revert(on database: Database) async throws {
        try await database.schema("checkout_sessions").deleteField("subscription_id").update()
    }
}
