import Fluent
import SQLKit

/// Merchants' checkout rules (each remembering the `Idempotency-Key` that created it, as intents do), and one row per merchant and mode that numbers the versions of its rule set. A deleted
/// rule keeps its row (with the version that deleted it), so the history of the set can be shown.
struct M070_CreateCheckoutRules: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema("checkout_rules")
            .field("id", .string, .identifier(auto: false))
            .field("merchant_id", .string, .required, .references("merchants", "id"))
            .field("livemode", .bool, .required)
            .field("priority", .int, .required)
            .field("conditions", .string, .required)
            .field("methods", .string, .required)
            .field("created_version", .int, .required)
            .field("deleted_version", .int)
            .field("created_at", .datetime, .required)
            .field("deleted_at", .datetime)
            .field("idempotency_key", .string)
            .create()
        try await database.schema("checkout_rule_sets")
            .field("merchant_id", .string, .required, .references("merchants", "id"))
            .field("livemode", .bool, .required)
            .field("version", .int, .required)
            .field("updated_at", .datetime, .required)
            .compositeIdentifier(over: "merchant_id", "livemode")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "checkout_rules_merchant_created").on("checkout_rules")
            .column("merchant_id").column("livemode").column("created_at").run()
        try await sql.create(index: "checkout_rules_idempotency_key").on("checkout_rules")
            .column("merchant_id").column("livemode").column("idempotency_key").run()
        // Two live rules of one merchant and mode never share a priority, even if a check were skipped.
        try await sql.raw("""
            CREATE UNIQUE INDEX checkout_rules_live_priority ON checkout_rules (merchant_id, livemode, priority) \
            WHERE deleted_at IS NULL
            """).run()
    }

    func revert(on database: Database) async throws {
        try await database.schema("checkout_rule_sets").delete()
        try await database.schema("checkout_rules").delete()
    }
}
