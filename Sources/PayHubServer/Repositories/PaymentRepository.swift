import Foundation
import PayHubCore
import SQLKit

/// The only code that reads or writes the payment aggregate's tables: intents, their attempts, their refunds
/// (`PaymentRepository+Refunds`) and the customers' decisions on authentication pages. It returns records; every
/// tenant-facing method takes the tenant scope, and the few that cannot are named `...AcrossTenants` and return
/// records that carry their scope. Writes take the caller's transaction (`Transactor.writeSQL`), so a change, its
/// events and its jobs commit together; reads take a transaction or `Transactor.reader`. Each method is a fixed
/// statement or two with binds, so PostgreSQL can later prepare them and batch round trips.
struct PaymentRepository: Sendable {
    private typealias Intents = PaymentIntentModel
    private typealias Attempts = PaymentAttemptModel

    // MARK: - Intents

    func intent(_ id: PaymentIntentID, in scope: TenantScope, on db: any SQLDatabase) async throws -> PaymentIntentRecord? {
        try await db.raw(ScopedSelect.byID(id.rawValue, from: Intents.schema, columns: Intents.columns, in: scope))
            .first().map { try Intents(row: $0).record() }
    }

    /// The intent with its attempts.
    func payment(_ id: PaymentIntentID, in scope: TenantScope, on db: any SQLDatabase) async throws -> PaymentIntentAggregate? {
        guard let intent = try await intent(id, in: scope, on: db) else { return nil }
        return PaymentIntentAggregate(intent: intent, attempts: try await attempts(of: id, in: scope, on: db))
    }

    /// The newest intent that a request with this `Idempotency-Key` created since `since`, with its attempts.
    func payment(
        createdByIdempotencyKey key: String, in scope: TenantScope, since: Date, on db: any SQLDatabase
    ) async throws -> PaymentIntentAggregate? {
        let query = ScopedSelect.createdBy(idempotencyKey: key, from: Intents.schema, columns: Intents.columns, in: scope, since: since)
        guard let intent = try await db.raw(query).first().map({ try Intents(row: $0).record() }) else { return nil }
        return PaymentIntentAggregate(intent: intent, attempts: try await attempts(of: intent.id, in: scope, on: db))
    }

    /// One page of intents, newest first, each with its attempts.
    func payments(
        in scope: TenantScope, status: PaymentIntentStatus?, page: PageRequest, on db: any SQLDatabase
    ) async throws -> RecordPage<PaymentIntentAggregate> {
        let filters: [SQLQueryString] = status.map { ["status = \(bind: $0.rawValue)"] } ?? []
        let found = try await ScopedPage.rows(
            from: Intents.schema, columns: Intents.columns, in: scope, filters: filters, page: page, on: db)
        let intents = try found.rows.map { try Intents(row: $0).record() }
        let byIntent = Dictionary(grouping: try await attempts(of: intents.map(\.id), in: scope, on: db), by: \.paymentIntentID)
        return RecordPage(
            items: intents.map { PaymentIntentAggregate(intent: $0, attempts: byIntent[$0.id] ?? []) }, hasMore: found.hasMore)
    }

    func insert(_ intent: PaymentIntentRecord, on tx: any SQLDatabase) async throws {
        try await Intents(intent).insert(on: tx)
    }

    /// Locks the intent until the transaction ends, then loads it, with its attempts unless `withAttempts` is false.
    func lock(
        _ id: PaymentIntentID, in scope: TenantScope, withAttempts: Bool = true, on tx: any SQLDatabase
    ) async throws -> PaymentIntentAggregate? {
        try await tx.lockForUpdate(Intents.schema, id: id.rawValue)
        guard let intent = try await intent(id, in: scope, on: tx) else { return nil }
        return PaymentIntentAggregate(intent: intent, attempts: withAttempts ? try await attempts(of: id, in: scope, on: tx) : [])
    }

    /// Saves what `PaymentMachine` changes on an intent.
    func saveState(_ intent: PaymentIntentRecord, on tx: any SQLDatabase) async throws {
        try await Intents(intent).saveState(on: tx)
    }

    // MARK: - Attempts

    /// An intent's attempts, oldest first.
    func attempts(of intentID: PaymentIntentID, in scope: TenantScope, on db: any SQLDatabase) async throws -> [PaymentAttemptRecord] {
        try await attempts(of: [intentID], in: scope, on: db)
    }

    private func attempts(of intentIDs: [PaymentIntentID], in scope: TenantScope, on db: any SQLDatabase) async throws -> [PaymentAttemptRecord] {
        guard !intentIDs.isEmpty else { return [] }
        let ids = SQLList(intentIDs.map { SQLBind($0.rawValue) })
        return try await db.raw("""
            SELECT \(unsafeRaw: Attempts.columns) FROM payment_attempts WHERE payment_intent_id IN (\(ids)) \
            AND merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode) ORDER BY created_at, id
            """).all().map { try Attempts(row: $0).record() }
    }

    func attempt(_ id: PaymentAttemptID, in scope: TenantScope, on db: any SQLDatabase) async throws -> PaymentAttemptRecord? {
        try await db.raw(ScopedSelect.byID(id.rawValue, from: Attempts.schema, columns: Attempts.columns, in: scope))
            .first().map { try Attempts(row: $0).record() }
    }

    /// The attempt a provider knows by `reference`, on this account (and so in the account's scope).
    func attempt(
        providerReference reference: String, of account: ProviderAccountRecord, on db: any SQLDatabase
    ) async throws -> PaymentAttemptRecord? {
        try await db.raw("""
            SELECT \(unsafeRaw: Attempts.columns) FROM payment_attempts \
            WHERE provider = \(bind: account.provider) AND provider_reference = \(bind: reference) \
            AND provider_account_id = \(bind: account.id.rawValue) \
            AND merchant_id = \(bind: account.scope.merchantID) AND livemode = \(bind: account.scope.livemode) LIMIT 1
            """).first().map { try Attempts(row: $0).record() }
    }

    func insert(_ attempt: PaymentAttemptRecord, on tx: any SQLDatabase) async throws {
        try await Attempts(attempt).insert(on: tx)
    }

    /// Saves what `PaymentMachine` and the status check change on an attempt.
    func saveState(_ attempt: PaymentAttemptRecord, on tx: any SQLDatabase) async throws {
        try await Attempts(attempt).saveState(on: tx)
    }

    /// Remembers the provider's reference of the refund that gives a late success back.
    func saveReversalReference(
        _ reference: String, of attemptID: PaymentAttemptID, in scope: TenantScope, on tx: any SQLDatabase
    ) async throws {
        try await tx.raw("""
            UPDATE payment_attempts SET late_success_reversal_reference = \(bind: reference) \
            WHERE id = \(bind: attemptID.rawValue) AND merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode)
            """).run()
    }
}
