import Fluent
import SQLKit

/// Automatic renewals: a subscription names the provider's own subscription (`provider_subscription`, set once by
/// the job that creates it), and `subscription_provider_renewals` notes each renewal the provider charged, by the
/// provider's reference: its primary key `(subscription_id, reference)` records a renewal once, however often the
/// provider reports it.
struct M150_AddProviderSubscriptions: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema("subscriptions").field("provider_subscription", .string).update()
        try await database.schema("subscription_provider_renewals")
            .field("subscription_id", .string, .required, .references("subscriptions", "id"))
            .field("reference", .string, .required)
            .field("period", .int, .required)
            .field("payment_intent_id", .string, .required)
            .field("merchant_id", .string, .required, .references("merchants", "id"))
            .field("livemode", .bool, .required)
            .field("created_at", .datetime, .required)
            .compositeIdentifier(over: "subscription_id", "reference")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        // One PayHub subscription per provider subscription of an account (NULLs, manual ones, do not collide).
        try await sql.create(index: "subscriptions_provider_subscription").unique()
            .on("subscriptions").column("saved_method_account_id").column("provider_subscription").run()
    }

    func revert(on database: Database) async throws {
        try await database.schema("subscription_provider_renewals").delete()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: "subscriptions_provider_subscription").run()
        try await database.schema("subscriptions").deleteField("provider_subscription").update()
    }
}
