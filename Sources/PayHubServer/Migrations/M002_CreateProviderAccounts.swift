import Fluent

struct M002_CreateProviderAccounts: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema("provider_accounts")
            .field("id", .string, .identifier(auto: false))
            .field("merchant_id", .string, .required, .references("merchants", "id"))
            .field("livemode", .bool, .required)
            .field("provider", .string, .required)
            .field("name", .string, .required)
            .field("credentials_sealed", .string, .required)
            .field("created_at", .datetime, .required)
            .field("disabled_at", .datetime)
            .create()
    }

    func revert(on database: Database) async throws {
        try await database.schema("provider_accounts").delete()
    }
}
