import Foundation
import PayHubCore
import SQLKit

/// What callers that know no tenant need: the status check's sweep, jobs whose payload names an attempt, the
/// customer's authentication pages (which know a provider reference), and queue metrics. The records they
/// return carry their scope, which the follow-up calls pass on.
extension PaymentRepository {
    /// An attempt or refund claimed for a status check, with its scope.
    struct Claimed<ID: Sendable>: Sendable {
        var id: ID
        var scope: TenantScope
    }

    private static let checkedAttemptStatuses: [PaymentAttemptStatus] = [.pending, .processing, .requiresAction, .requiresCapture]
    private static let waitingAttemptStatuses: [PaymentAttemptStatus] = [.pending, .processing, .requiresAction]

    func attemptAcrossTenants(_ id: PaymentAttemptID, on db: any SQLDatabase) async throws -> PaymentAttemptRecord? {
        try await db.raw("SELECT \(unsafeRaw: PaymentAttemptModel.columns) FROM payment_attempts WHERE id = \(bind: id.rawValue)")
            .first().map { try PaymentAttemptModel(row: $0).record() }
    }

    /// The attempt a provider knows by `reference`, whoever's it is.
    func attemptAcrossTenants(provider: String, providerReference reference: String, on db: any SQLDatabase) async throws -> PaymentAttemptRecord? {
        try await db.raw("""
            SELECT \(unsafeRaw: PaymentAttemptModel.columns) FROM payment_attempts \
            WHERE provider = \(bind: provider) AND provider_reference = \(bind: reference) LIMIT 1
            """).first().map { try PaymentAttemptModel(row: $0).record() }
    }

    /// Attempts whose check is due, claimed: their `next_check_at` moves to `claimedUntil`, so nobody else takes
    /// them meanwhile (`SKIP LOCKED` on PostgreSQL).
    func claimAttemptsDueForStatusCheck(
        limit: Int, at now: Date, claimedUntil: Date, on tx: any SQLDatabase
    ) async throws -> [Claimed<PaymentAttemptID>] {
        try await claimDue(table: PaymentAttemptModel.schema, statuses: Self.checkedAttemptStatuses.map(\.rawValue),
                           limit: limit, now: now, claimedUntil: claimedUntil, on: tx)
    }

    func claimRefundsDueForStatusCheck(
        limit: Int, at now: Date, claimedUntil: Date, on tx: any SQLDatabase
    ) async throws -> [Claimed<RefundID>] {
        try await claimDue(table: RefundModel.schema, statuses: [RefundStatus.pending.rawValue],
                           limit: limit, now: now, claimedUntil: claimedUntil, on: tx)
    }

    private func claimDue<Kind>(
        table: String, statuses: [String], limit: Int, now: Date, claimedUntil: Date, on tx: any SQLDatabase
    ) async throws -> [Claimed<Identifier<Kind>>] {
        let lock: SQLQueryString = tx.dialect.name == "postgresql" ? "FOR UPDATE SKIP LOCKED" : ""
        let statusList = SQLList(statuses.map { SQLBind($0) })
        let rows = try await tx.raw("""
            UPDATE \(ident: table) SET next_check_at = \(bind: claimedUntil)
            WHERE id IN (
                SELECT id FROM \(ident: table)
                WHERE next_check_at <= \(bind: now) AND status IN (\(statusList))
                ORDER BY next_check_at LIMIT \(bind: limit) \(lock)
            )
            RETURNING id, merchant_id, livemode
            """).all()
        return try rows.map { row in
            let raw = try row.decode(column: "id", as: String.self)
            guard let id = Identifier<Kind>(validating: raw) else { throw StoredValueInvalid(table: table, column: "id", id: raw) }
            return Claimed(id: id, scope: TenantScope(
                merchantID: try row.decode(column: "merchant_id", as: String.self), livemode: try row.decode(column: "livemode", as: Bool.self)))
        }
    }

    /// Attempts and refunds waiting on their provider, for `/metrics`.
    func waitingCountsAcrossTenants(on db: any SQLDatabase) async throws -> (attempts: Int, refunds: Int) {
        let attemptStatuses = SQLList(Self.waitingAttemptStatuses.map { SQLBind($0.rawValue) })
        let row = try await db.raw("""
            SELECT (SELECT COUNT(*) FROM payment_attempts WHERE status IN (\(attemptStatuses))) AS attempts, \
            (SELECT COUNT(*) FROM refunds WHERE status = \(bind: RefundStatus.pending.rawValue)) AS refunds
            """).first()
        return (try row?.decode(column: "attempts", as: Int.self) ?? 0, try row?.decode(column: "refunds", as: Int.self) ?? 0)
    }
}
