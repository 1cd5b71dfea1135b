import FluentKit
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
            let (attempts, refunds) = try await claim()
            if attempts.isEmpty && refunds.isEmpty { return checked }
            for attempt in attempts { await checkAttempt(attempt) }
            for refund in refunds { await checkRefund(refund) }
            checked += attempts.count + refunds.count
        }
    }

    private var payments: PaymentRepository { PaymentRepository() }

    private func checkAttempt(_ claimed: PaymentRepository.Claimed<PaymentAttemptID>) async {
        let service = PaymentService(context: context, db: db, logger: logger)
        let schedule = context.config.statusChecks
        var statusBefore: PaymentAttemptStatus?
        do {
            guard let attempt = try await payments.attempt(claimed.id, in: claimed.scope, on: service.reader) else { return }
            statusBefore = attempt.status
            if schedule.actionHasExpired(status: attempt.status, changedAt: attempt.attempt.updatedAt, now: context.clock.now()) {
                try await service.expireAction(attempt)
            } else {
                try await service.refresh(attempt)
            }
        } catch {
            logger.warning("status check failed", metadata: ["payment_attempt": "\(claimed.id)", "error": "\(error)"])
        }
        let before = statusBefore
        await backOff(claimed.id) { tx in
            // A check that changed the status has already scheduled the next one.
            guard var attempt = try await payments.attempt(claimed.id, in: claimed.scope, on: tx), attempt.statusCheck.nextAt != nil,
                  before == nil || attempt.status == before else { return }
            let checks = attempt.statusCheck.count + 1
            attempt.statusCheck = StatusCheckState(
                nextAt: schedule.nextCheck(status: attempt.status, changedAt: attempt.attempt.updatedAt, checks: checks, now: context.clock.now()),
                count: checks)
            try await payments.saveState(attempt, on: tx)
        }
    }

    private func checkRefund(_ claimed: PaymentRepository.Claimed<RefundID>) async {
        let service = RefundService(context: context, db: db, logger: logger)
        let schedule = context.config.statusChecks
        var statusBefore: RefundStatus?
        do {
            if let refund = try await payments.refund(claimed.id, in: claimed.scope, on: context.transactor.reader(db)) {
                statusBefore = refund.status
                try await service.refresh(refund)
            }
        } catch {
            logger.warning("refund status check failed", metadata: ["refund": "\(claimed.id)", "error": "\(error)"])
        }
        let before = statusBefore
        await backOff(claimed.id) { tx in
            guard var refund = try await payments.refund(claimed.id, in: claimed.scope, on: tx), refund.statusCheck.nextAt != nil,
                  before == nil || refund.status == before else { return }
            let checks = refund.statusCheck.count + 1
            refund.statusCheck = StatusCheckState(nextAt: schedule.nextCheck(refund: refund.status, checks: checks, now: context.clock.now()), count: checks)
            try await payments.saveState(refund, on: tx)
        }
    }

    /// After a check: the row's next check, backing off, unless the check changed its status (which rescheduled it).
    private func backOff<ID: Sendable>(_ id: ID, _ reschedule: @escaping @Sendable (any SQLDatabase) async throws -> Void) async {
        do {
            try await context.transactor.writeSQL(on: db, reschedule)
        } catch {
            logger.warning("rescheduling a status check failed", metadata: ["id": "\(id)", "error": "\(error)"])
        }
    }

    /// Takes the due attempts and refunds: their next check moves past the lease, so nobody else takes them meanwhile.
    private func claim() async throws -> ([PaymentRepository.Claimed<PaymentAttemptID>], [PaymentRepository.Claimed<RefundID>]) {
        let now = context.clock.now()
        let (claimedUntil, limit, payments) = (now.addingTimeInterval(lease), batchSize, self.payments)
        let attempts = try await context.transactor.writeSQL(on: db) { tx in
            try await payments.claimAttemptsDueForStatusCheck(limit: limit, at: now, claimedUntil: claimedUntil, on: tx)
        }
        let refunds = try await context.transactor.writeSQL(on: db) { tx in
            try await payments.claimRefundsDueForStatusCheck(limit: limit, at: now, claimedUntil: claimedUntil, on: tx)
        }
        return (attempts, refunds)
    }
}
