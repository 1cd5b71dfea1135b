import Fluent
import Foundation
import Logging
import PayHubCore
import SQLKit

extension JobKind {
    static let statusCheckSweep = JobKind("status_check.sweep")
}

/// The seeds' check flow, as a recurring job: asks providers about every attempt and refund whose
/// `next_check_at` has come, in batches until none is due, and backs each one off after a check that changed
/// nothing. Attempts whose customer never finished an action are given up after `PAYHUB_ACTION_TIMEOUT`. The
/// claim moves `next_check_at` forward first, so a second process (or a crash) never checks one row twice at once.
struct StatusCheckSweep: JobHandler {
    let context: PayHubContext
    let db: any Database
    let logger: Logger
    var batchSize = 50

    var kind: JobKind { .statusCheckSweep }
    var lease: TimeInterval { 300 }
    var isRecurring: Bool { true }
    var every: TimeInterval { max(context.config.workerInterval, 5) }

    func run(_ job: ClaimedJob) async throws -> JobOutcome {
        _ = try await checkDue()
        return .reschedule(at: context.clock.now().addingTimeInterval(every))
    }

    /// Checks everything due now; returns how many attempts and refunds were checked.
    @discardableResult
    func checkDue() async throws -> Int {
        var checked = 0
        while true {
            let attempts = try await claim(table: "payment_attempts", statuses: ["pending", "processing", "requires_action", "requires_capture"])
            let refunds = try await claim(table: "refunds", statuses: ["pending"])
            if attempts.isEmpty && refunds.isEmpty { return checked }
            for id in attempts { await checkAttempt(id) }
            for id in refunds { await checkRefund(id) }
            checked += attempts.count + refunds.count
        }
    }

    private func checkAttempt(_ id: String) async {
        let payments = PaymentService(context: context, db: db, logger: logger)
        let schedule = context.config.statusChecks
        var statusBefore: String?
        do {
            guard let attempt = try await PaymentAttemptModel.find(id, on: db) else { return }
            statusBefore = attempt.status
            let before = try attempt.domain()
            if schedule.actionHasExpired(status: before.status, changedAt: before.updatedAt, now: context.clock.now()) {
                try await payments.expireAction(attempt)
            } else {
                try await payments.refresh(attempt)
            }
        } catch {
            logger.warning("status check failed", metadata: ["payment_attempt": "\(id)", "error": "\(error)"])
        }
        await backOff(table: "payment_attempts", id: id, statusBefore: statusBefore)
    }

    private func checkRefund(_ id: String) async {
        let refunds = RefundService(context: context, db: db, logger: logger)
        var statusBefore: String?
        do {
            if let refund = try await RefundModel.find(id, on: db) {
                statusBefore = refund.status
                try await refunds.refresh(refund)
            }
        } catch {
            logger.warning("refund status check failed", metadata: ["refund": "\(id)", "error": "\(error)"])
        }
        await backOff(table: "refunds", id: id, statusBefore: statusBefore)
    }

    /// After a check: the row's next check, backing off, unless the check changed its status (which rescheduled it).
    private func backOff(table: String, id: String, statusBefore: String?) async {
        let now = context.clock.now()
        let schedule = context.config.statusChecks
        do {
            try await context.transactor.writeSQL(on: db) { tx in
                guard let row = try await tx.raw("""
                    SELECT status, check_count, updated_at, next_check_at FROM \(ident: table) WHERE id = \(bind: id)
                    """).first(),
                    try row.optional("next_check_at", as: Date.self) != nil
                else { return }
                let status = try row.decode(column: "status", as: String.self)
                // A check that changed the status has already scheduled the next one.
                guard statusBefore == nil || status == statusBefore else { return }
                let checks = try row.decode(column: "check_count", as: Int.self) + 1
                let next: Date?
                if table == "refunds" {
                    guard let refundStatus = RefundStatus(rawValue: status) else { throw StoredValueInvalid(table: table, column: "status", id: id) }
                    next = schedule.nextCheck(refund: refundStatus, checks: checks, now: now)
                } else {
                    guard let attemptStatus = PaymentAttemptStatus(rawValue: status) else { throw StoredValueInvalid(table: table, column: "status", id: id) }
                    next = schedule.nextCheck(
                        status: attemptStatus, changedAt: try row.decode(column: "updated_at", as: Date.self), checks: checks, now: now)
                }
                try await tx.raw("""
                    UPDATE \(ident: table) SET next_check_at = \(bind: next), check_count = \(bind: checks) WHERE id = \(bind: id)
                    """).run()
            }
        } catch {
            logger.warning("rescheduling a status check failed", metadata: ["table": "\(table)", "id": "\(id)", "error": "\(error)"])
        }
    }

    /// Takes the due rows: their `next_check_at` moves past the lease, so nobody else takes them meanwhile.
    private func claim(table: String, statuses: [String]) async throws -> [String] {
        let now = context.clock.now()
        let claimedUntil = now.addingTimeInterval(lease)
        let isPostgres = context.transactor.isPostgres
        let limit = batchSize
        return try await context.transactor.writeSQL(on: db) { tx in
            let lock: SQLQueryString = isPostgres ? "FOR UPDATE SKIP LOCKED" : ""
            let statusList = SQLList(statuses.map { SQLBind($0) })
            let rows = try await tx.raw("""
                UPDATE \(ident: table) SET next_check_at = \(bind: claimedUntil)
                WHERE id IN (
                    SELECT id FROM \(ident: table)
                    WHERE next_check_at <= \(bind: now) AND status IN (\(statusList))
                    ORDER BY next_check_at LIMIT \(bind: limit) \(lock)
                )
                RETURNING id
                """).all()
            return try rows.map { try $0.decode(column: "id", as: String.self) }
        }
    }
}
