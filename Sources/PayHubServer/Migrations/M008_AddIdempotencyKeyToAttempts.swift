import Fluent

/// Payment attempts remember the `Idempotency-Key` of the request that started them, so a client retrying after
/// PayHub died mid-request resumes that attempt instead of being told another one is in progress.
struct M008_AddIdempotencyKeyToAttempts: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema("payment_attempts").field("idempotency_key", .string).update()
    }

    func revert(on database: Database) async throws {
        try await database.schema("payment_attempts").deleteField("idempotency_key").update()
    }
}
