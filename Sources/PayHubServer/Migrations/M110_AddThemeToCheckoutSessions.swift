import Fluent

/// A checkout session may override the merchant's theme: the overridden fields, as JSON.
struct M110_AddThemeToCheckoutSessions: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema("checkout_sessions").field("theme", .string).update()
    }

    func revert(on database: Database) async throws {
        try await database.schema("checkout_sessions").deleteField("theme").update()
    }
}
