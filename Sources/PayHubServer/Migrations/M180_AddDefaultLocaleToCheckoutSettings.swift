import Fluent

/// The language the merchant's customer pages fall back to when neither the session nor the browser names one
/// PayHub speaks (NULL: English).
struct M180_AddDefaultLocaleToCheckoutSettings: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema("checkout_settings").field("default_locale", .string).update()
    }

    func revert(on database: Database) async throws {
        try await database.schema("checkout_settings").deleteField("default_locale").update()
    }
}
