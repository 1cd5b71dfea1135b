import Fluent

/// One checkout theme per merchant and mode: its values as JSON, validated again whenever they are read.
struct M061_CreateCheckoutThemes: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema("checkout_themes")
            .field("merchant_id", .string, .required, .references("merchants", "id"))
            .field("livemode", .bool, .required)
            .field("theme", .string, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "merchant_id", "livemode")
            .create()
    }

    func revert(on database: Database) async throws {
        try await database.schema("checkout_themes").delete()
    }
}
