import Fluent
import Foundation
import Logging
import SQLKit

/// Asks providers about attempts stuck in `pending`, `processing` or `requires_action`, and refunds stuck in
/// `pending`, once they are older than the configured age (the seeds' check flow). Rows are leased so that
/// several processes never check the same one at the same time.
struct StatusPoller: Sendable {
    let context: PayHubContext
    let db: any Database
    let logger: Logger

    /// Checks everything due now; returns how many attempts and refunds were checked.
    @discardableResult
    func runOnce(limit: Int = 50) async throws -> Int {
        let attempts = try await claim(
            table: "payment_attempts", statuses: ["pending", "processing", "requires_action"], limit: limit)
        let payments = PaymentService(context: context, db: db, logger: logger)
        for id in attempts {
            guard let attempt = try await PaymentAttemptModel.find(id, on: db) else { continue }
            do { try await payments.refresh(attempt) } catch {
                logger.warning("status check failed", metadata: ["payment_attempt": "\(id)", "error": "\(error)"])
            }
        }
        let refunds = try await claim(table: "refunds", statuses: ["pending"], limit: limit)
        let refundService = RefundService(context: context, db: db, logger: logger)
        for id in refunds {
            guard let refund = try await RefundModel.find(id, on: db) else { continue }
            do { try await refundService.refresh(refund) } catch {
                logger.warning("refund status check failed", metadata: ["refund": "\(id)", "error": "\(error)"])
            }
        }
        return attempts.count + refunds.count
    }

    private func claim(table: String, statuses: [String], limit: Int) async throws -> [String] {
        let now = context.clock.now()
        let cutoff = now.addingTimeInterval(-context.config.statusCheckAge)
        let leaseUntil = now.addingTimeInterval(max(context.config.statusCheckAge, 30))
        let isPostgres = context.transactor.isPostgres
        return try await context.transactor.write(on: db) { tx in
            guard let sql = tx as? any SQLDatabase else { return [] }
            let lock: SQLQueryString = isPostgres ? "FOR UPDATE SKIP LOCKED" : ""
            let statusList = SQLList(statuses.map { SQLBind($0) })
            let rows = try await sql.raw("""
                UPDATE \(ident: table) SET poll_lease_until = \(bind: leaseUntil)
                WHERE id IN (
                    SELECT id FROM \(ident: table)
                    WHERE status IN (\(statusList)) AND updated_at <= \(bind: cutoff)
                      AND (poll_lease_until IS NULL OR poll_lease_until < \(bind: now))
                    ORDER BY updated_at LIMIT \(bind: limit) \(lock)
                )
                RETURNING id
                """).all()
            return try rows.map { try $0.decode(column: "id", as: String.self) }
        }
    }
}
