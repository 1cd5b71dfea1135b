import Fluent

struct M001_CreateMerchants: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema("merchants")
            .field("id", .string, .identifier(auto: false))
            .field("name", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("api_keys")
            .field("id", .string, .identifier(auto: false))
            .field("merchant_id", .string, .required, .references("merchants", "id"))
            .field("livemode", .bool, .required)
            .field("kind", .string, .required)
            .field("key_digest", .string, .required)
            .field("redacted", .string, .required)
            .field("rate_limit_per_second", .int)
            .field("created_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .unique(on: "key_digest")
            .create()
    }

    func revert(on database: Database) async throws {
        try await database.schema("api_keys").delete()
        try await database.schema("merchants").delete()
    }
}
