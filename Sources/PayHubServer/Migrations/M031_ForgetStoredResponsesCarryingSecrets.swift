import Fluent
import SQLKit

/// Stored responses are sealed from now on (`IdempotencyService`). Those stored before in plain text that carry a
/// secret (a webhook endpoint's `whsec_` secret, an intent's `client_token`) are forgotten rather than kept: a retry
/// of such a request runs again, and a retried intent creation finds the intent it made (it remembers its key).
struct M031_ForgetStoredResponsesCarryingSecrets: AsyncMigration {
    func prepare(on database: Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("""
            DELETE FROM idempotency_keys WHERE response_body NOT LIKE 'v1:%' \
            AND (response_body LIKE '%whsec%' OR response_body LIKE '%client_token%')
            """).run()
    }

    /// Nothing to restore: forgotten responses stay forgotten.
    func revert(on database: Database) async throws {}
}
