import Fluent
import SQLKit

/// Status checks are scheduled per attempt and refund (`next_check_at`, backing off with `check_count`), so a
/// backlog of stuck rows can no longer starve the newest; attempts record late successes and their reversal.
struct M011_AddStatusCheckScheduleAndLateSuccess: AsyncMigration {
    private static let columns: [(String, FieldKey, DatabaseSchema.DataType)] = [
        ("payment_attempts", "next_check_at", .datetime),
        ("payment_attempts", "amount_received", .int64),
        ("payment_attempts", "late_success_reversal", .string),
        ("payment_attempts", "late_success_reversal_reason", .string),
        ("payment_attempts", "late_success_reversal_reference", .string),
        ("refunds", "next_check_at", .datetime),
    ]

    func prepare(on database: Database) async throws {
        // One column per statement: SQLite adds columns one at a time.
        for (table, field, type) in Self.columns {
            try await database.schema(table).field(field, type).update()
        }
        try await database.schema("payment_attempts").field("check_count", .int, .required, .sql(.default(0))).update()
        try await database.schema("refunds").field("check_count", .int, .required, .sql(.default(0))).update()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("""
            UPDATE payment_attempts SET next_check_at = updated_at \
            WHERE status IN ('pending', 'processing', 'requires_action', 'requires_capture')
            """).run()
        try await sql.raw("UPDATE refunds SET next_check_at = updated_at WHERE status = 'pending'").run()
        try await sql.create(index: "payment_attempts_next_check").on("payment_attempts").column("next_check_at").run()
        try await sql.create(index: "refunds_next_check").on("refunds").column("next_check_at").run()
    }

    func revert(on database: Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: "payment_attempts_next_check").run()
        try await sql.drop(index: "refunds_next_check").run()
        for (table, field, _) in Self.columns + [("payment_attempts", "check_count", .int), ("refunds", "check_count", .int)] {
            try await database.schema(table).deleteField(.key(field)).update()
        }
    }
}
