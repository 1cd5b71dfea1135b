import Fluent
import SQLKit

/// Deliveries are scheduled by their jobs now: the index that found due deliveries only slows their writes.
struct M012_DropDeliveryDueIndex: AsyncMigration {
    func prepare(on database: Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: "webhook_deliveries_due").ifExists().run()
    }

    func revert(on database: Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "webhook_deliveries_due").on("webhook_deliveries").column("status").column("next_attempt_at").run()
    }
}
