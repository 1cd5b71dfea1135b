import Fluent
import SQLKit

/// Webhooks are delivered by one job per endpoint that reads the endpoint's due deliveries (this index), no longer
/// by one job per delivery: the per-delivery jobs of a running installation become one job per endpoint owed
/// something.
struct M170_DeliverWebhooksPerEndpoint: AsyncMigration {
    func prepare(on database: Database) async throws {
        let sql = database.sql
        try await sql.raw("""
            CREATE INDEX webhook_deliveries_owed ON webhook_deliveries (endpoint_id, next_attempt_at) \
            WHERE status = 'pending'
            """).run()
        try await sql.raw("DELETE FROM jobs WHERE kind = 'webhook.deliver'").run()
        try await sql.raw("""
            INSERT INTO jobs \
            (id, kind, payload, status, run_at, attempts, max_attempts, lease_token, lease_expires_at, created_at, updated_at) \
            SELECT 'job_webhook-endpoint_' || endpoint_id, 'webhook.deliver', '{"endpoint":"' || endpoint_id || '"}', 'pending', \
            MIN(next_attempt_at), 0, \(bind: WebhookDeliveryJob.maximumAttempts * 2), NULL, NULL, MIN(created_at), MIN(created_at) \
            FROM webhook_deliveries WHERE status = 'pending' GROUP BY endpoint_id
            """).run()
    }

    func revert(on database: Database) async throws {
        try await database.sql.raw("DROP INDEX webhook_deliveries_owed").run()
    }
}
