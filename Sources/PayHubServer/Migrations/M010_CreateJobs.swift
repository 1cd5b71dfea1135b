import Fluent
import SQLKit

/// The durable job scheduler's one table: every background job of every process (webhook deliveries, status
/// checks, sandbox settlements, janitors) is a row here, claimed under a lease token.
struct M010_CreateJobs: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema("jobs")
            .field("id", .string, .identifier(auto: false))
            .field("kind", .string, .required)
            .field("payload", .string, .required)
            .field("status", .string, .required)
            .field("run_at", .datetime, .required)
            .field("attempts", .int, .required)
            .field("max_attempts", .int, .required)
            .field("lease_token", .string)
            .field("lease_expires_at", .datetime)
            .field("last_error", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "jobs_due").on("jobs").column("status").column("run_at").run()
    }

    func revert(on database: Database) async throws {
        try await database.schema("jobs").delete()
    }
}
