import Fluent
import SQLKit

/// Checkout settings, one row per merchant and mode, and the origins allowed to embed its checkout, one row each
/// (in the merchant's order): indexed by origin, so a CORS preflight, which names no merchant, is one look-up.
struct M100_CreateCheckoutSettings: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema("checkout_settings")
            .field("merchant_id", .string, .required, .references("merchants", "id"))
            .field("livemode", .bool, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "merchant_id", "livemode")
            .create()
        try await database.schema("checkout_allowed_origins")
            .field("merchant_id", .string, .required, .references("merchants", "id"))
            .field("livemode", .bool, .required)
            .field("position", .int, .required)
            .field("origin", .string, .required)
            .unique(on: "merchant_id", "livemode", "origin")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "checkout_allowed_origins_origin").on("checkout_allowed_origins").column("origin").run()
    }

    func revert(on database: Database) async throws {
        try await database.schema("checkout_allowed_origins").delete()
        try await database.schema("checkout_settings").delete()
    }
}
