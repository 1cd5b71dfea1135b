import Fluent

/// Rate-limit token buckets shared by every PayHub process on one PostgreSQL (unused on SQLite, kept for one schema).
struct M009_CreateRateLimitBuckets: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema("rate_limit_buckets")
            .field("bucket", .string, .identifier(auto: false))
            .field("tokens", .double, .required)
            .field("allowed", .bool, .required)
            .field("updated_at", .datetime, .required)
            .create()
    }

    func revert(on database: Database) async throws {
        try await database.schema("rate_limit_buckets").delete()
    }
}
