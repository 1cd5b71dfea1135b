import Foundation
import PayHubCore
import SQLKit

/// The only code that reads or writes `checkout_rules` and `checkout_rule_sets`. Every method takes the tenant
/// scope; deleted rules are left out of every read. Conditions and methods are stored in their written form
/// (`CheckoutRule.input`) and parsed again on the way out: a row that does not parse is an error, never skipped.
struct CheckoutRuleRepository: Sendable {
    private static let table = "checkout_rules"
    private static let columns = """
        id, merchant_id, livemode, priority, conditions, methods, created_version, deleted_version, created_at, deleted_at, \
        idempotency_key
        """

    /// Gives the scope's rule set its next version and returns it. The statement also locks the set's row until the
    /// transaction ends (PostgreSQL), so changes to one rule set take turns and see each other's rules. Every change
    /// of the rule set starts here, so here it also bumps the checkout configuration's version.
    func nextVersion(in scope: TenantScope, now: Date, on tx: any SQLDatabase) async throws -> Int {
        try await CheckoutConfigurationVersionRepository().bump(in: scope, on: tx)
        let row = try await tx.raw("""
            INSERT INTO checkout_rule_sets (merchant_id, livemode, version, updated_at) \
            VALUES (\(bind: scope.merchantID), \(bind: scope.livemode), 1, \(bind: now)) \
            ON CONFLICT (merchant_id, livemode) DO UPDATE SET version = checkout_rule_sets.version + 1, updated_at = \(bind: now) \
            RETURNING version
            """).first()
        guard let row else { throw StoredValueInvalid(table: "checkout_rule_sets", column: "version", id: scope.merchantID) }
        return try row.decode(column: "version", as: Int.self)
    }

    /// The rule set's current version: 0 before its first change.
    func version(in scope: TenantScope, on db: any SQLDatabase) async throws -> Int {
        let row = try await db.raw("""
            SELECT version FROM checkout_rule_sets WHERE merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode)
            """).first()
        guard let row else { return 0 }
        return try row.decode(column: "version", as: Int.self)
    }

    func insert(_ record: CheckoutRuleRecord, on tx: any SQLDatabase) async throws {
        let written = record.rule.input
        let values: [any Encodable & Sendable] = [
            record.id.rawValue, record.scope.merchantID, record.scope.livemode, record.rule.priority,
            JSONText.encode(written.conditions), JSONText.encode(written.methods), record.createdVersion, record.deletedVersion,
            record.createdAt, record.deletedAt, record.idempotencyKey,
        ]
        try await tx.raw("INSERT INTO checkout_rules (\(unsafeRaw: Self.columns)) VALUES (\(binds: values))").run()
    }

    /// The rule, unless it is deleted or not the scope's.
    func find(_ id: CheckoutRuleID, in scope: TenantScope, on db: any SQLDatabase) async throws -> CheckoutRuleRecord? {
        let row = try await db.raw("""
            \(ScopedSelect.byID(id.rawValue, from: Self.table, columns: Self.columns, in: scope)) AND deleted_at IS NULL
            """).first()
        guard let row else { return nil }
        return try Self.record(row: row)
    }

    /// The newest rule that a request with this `Idempotency-Key` created since `since`, deleted or not.
    func rule(createdByIdempotencyKey key: String, in scope: TenantScope, since: Date, on db: any SQLDatabase) async throws -> CheckoutRuleRecord? {
        let row = try await db.raw(
            ScopedSelect.createdBy(idempotencyKey: key, from: Self.table, columns: Self.columns, in: scope, since: since)).first()
        guard let row else { return nil }
        return try Self.record(row: row)
    }

    /// The scope's rules in force, highest priority first.
    func active(in scope: TenantScope, on db: any SQLDatabase) async throws -> [CheckoutRuleRecord] {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.columns) FROM checkout_rules WHERE merchant_id = \(bind: scope.merchantID) \
            AND livemode = \(bind: scope.livemode) AND deleted_at IS NULL ORDER BY priority DESC, id
            """).all().map(Self.record(row:))
    }

    /// One page of the scope's rules in force, newest first.
    func page(in scope: TenantScope, _ page: PageRequest, on db: any SQLDatabase) async throws -> (rules: [CheckoutRuleRecord], hasMore: Bool) {
        let result = try await ScopedPage.rows(
            from: Self.table, columns: Self.columns, in: scope, filters: ["deleted_at IS NULL"], page: page, on: db)
        return (try result.rows.map(Self.record(row:)), result.hasMore)
    }

    /// Marks the rule deleted by `version`; nil when it is not the scope's or already deleted.
    func delete(_ id: CheckoutRuleID, in scope: TenantScope, version: Int, now: Date, on tx: any SQLDatabase) async throws -> CheckoutRuleRecord? {
        let row = try await tx.raw("""
            UPDATE checkout_rules SET deleted_at = \(bind: now), deleted_version = \(bind: version) \
            WHERE id = \(bind: id.rawValue) AND merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode) \
            AND deleted_at IS NULL RETURNING \(unsafeRaw: Self.columns)
            """).first()
        guard let row else { return nil }
        return try Self.record(row: row)
    }

    private static func record(row: any SQLRow) throws -> CheckoutRuleRecord {
        let id = try row.decode(column: "id", as: String.self)
        func stored<Value: Decodable>(_ column: String, as type: Value.Type) throws -> Value {
            guard let value = JSONText.decode(type, from: try row.decode(column: column, as: String.self)) else {
                throw StoredValueInvalid(table: table, column: column, id: id)
            }
            return value
        }
        let written = CheckoutRuleInput(
            priority: try row.decode(column: "priority", as: Int.self),
            conditions: try stored("conditions", as: [RuleConditionInput].self),
            methods: try stored("methods", as: [RuleMethodInput].self))
        let ruleID = try CheckoutRuleID(parsing: id)
        let rule: CheckoutRule
        do {
            rule = try CheckoutRuleParser.rule(id: ruleID, written)
        } catch {
            throw StoredValueInvalid(table: table, column: error.field.hasPrefix("methods") ? "methods" : "conditions", id: id)
        }
        return CheckoutRuleRecord(
            rule: rule, scope: try TenantScope(row: row),
            createdVersion: try row.decode(column: "created_version", as: Int.self),
            deletedVersion: try row.optional("deleted_version"),
            createdAt: try row.decode(column: "created_at", as: Date.self),
            deletedAt: try row.optional("deleted_at"),
            idempotencyKey: try row.optional("idempotency_key"))
    }
}
