import Fluent

/// The customer's answer on an authentication page, one row per payment attempt: the primary key makes a second
/// answer (a double submit, a replayed form, a second process) fail instead of deciding again.
struct M020_CreateAuthenticationDecisions: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema("authentication_decisions")
            .field("payment_attempt_id", .string, .identifier(auto: false))
            .field("decision", .string, .required)
            .field("decided_at", .datetime, .required)
            .create()
    }

    func revert(on database: Database) async throws {
        try await database.schema("authentication_decisions").delete()
    }
}
