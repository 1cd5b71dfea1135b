import Fluent

/// A delivery keeps its latest try on its own row; earlier tries move to `webhook_delivery_attempts`.
struct M060_KeepLatestTryOnDelivery: AsyncMigration {
    private static let fields: [(String, DatabaseSchema.DataType)] = [
        ("last_attempt_id", .string), ("last_attempted_at", .datetime), ("last_latency_ms", .int),
        ("last_response_excerpt", .string), ("last_succeeded", .bool),
    ]

    /// One column per statement: SQLite adds one at a time.
    func prepare(on database: Database) async throws {
        for (name, type) in Self.fields {
            try await database.schema("webhook_deliveries").field(.string(name), type).update()
        }
    }

    func revert(on database: Database) async throws {
        for (name, _) in Self.fields.reversed() {
            try await database.schema("webhook_deliveries").deleteField(.string(name)).update()
        }
    }
}
