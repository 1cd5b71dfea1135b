import FluentKit
import Foundation
import Logging
import PayHubConnectors
import PayHubCore
import SQLKit

extension JobKind {
    static let lateSuccessReversal = JobKind("payment.reverse_late_success")
}

/// Gives back a success that arrived for an attempt that no longer counts (its intent was canceled, or paid by
/// another attempt): voids it while it is only authorised, refunds it in full once captured, and records how
/// that ended with its event. Scheduled in the transaction that recorded the late success, so a crash cannot
/// lose it; every provider call is idempotent, so a run that is repeated gives back once.
struct LateSuccessReversalJob: JobHandler {
    struct Payload: Codable, Sendable {
        var attempt: String
    }

    let context: PayHubContext
    let db: any Database
    let logger: Logger

    var kind: JobKind { .lateSuccessReversal }
    var lease: TimeInterval { 120 }

    static func job(attempt attemptID: PaymentAttemptID, at date: Date) -> NewJob {
        NewJob(
            kind: .lateSuccessReversal, payload: Payload(attempt: attemptID.rawValue), runAt: date, uniqueKey: "reversal:\(attemptID)",
            maxAttempts: 20)
    }

    func run(_ job: ClaimedJob) async throws -> JobOutcome {
        let raw = try job.decode(Payload.self).attempt
        let payments = PaymentService(context: context, db: db, logger: logger)
        let repository = PaymentRepository()
        // The payload names only the attempt; the attempt carries its scope.
        guard let attemptID = PaymentAttemptID(validating: raw),
              let attempt = try await repository.attemptAcrossTenants(attemptID, on: payments.reader),
              attempt.attempt.lateSuccessReversal == .pending, let reference = attempt.providerReference,
              let intent = try await repository.intent(attempt.paymentIntentID, in: attempt.scope, on: payments.reader)
        else { return .done }
        let (account, connector) = try await payments.provider(of: attempt)
        let connectorContext = try context.connectorContext(for: account)
        logger.warning("giving back a late success", metadata: ["payment_attempt": "\(attemptID)", "status": "\(attempt.status)"])

        if attempt.status == .requiresCapture {
            do {
                let answer = try await connector.cancel(reference: reference, context: connectorContext)
                if answer.outcome == .canceled {
                    try await payments.recordReversal(.voided, for: attempt)
                    return .done
                }
                // Captured meanwhile: record it, and refund on the next run.
                try await payments.record(answer, for: attempt)
                return .retry(at: context.clock.now(), reason: "captured before it could be voided")
            } catch let error as ConnectorError where !error.isTransient {
                try await payments.recordReversal(.failed(reason: error.description), for: attempt)
                return .done
            }
        }

        let amount = Money(minorUnits: attempt.attempt.amountReceived ?? intent.intent.amount.minorUnits, currency: intent.intent.amount.currency)
        let result: ConnectorRefundResult
        do {
            if let refundReference = attempt.lateSuccessReversalReference {
                result = try await connector.retrieveRefund(reference: refundReference, context: connectorContext)
            } else {
                result = try await connector.refund(
                    ProviderRequests.lateSuccessRefund(attempt: attempt, amount: amount, paymentReference: reference), context: connectorContext)
                if let refundReference = result.providerReference {
                    try await context.transactor.writeSQL(on: db) { tx in
                        try await repository.saveReversalReference(refundReference, of: attemptID, in: attempt.scope, on: tx)
                    }
                }
            }
        } catch let error as ConnectorError where !error.isTransient {
            try await payments.recordReversal(.failed(reason: error.description), for: attempt)
            return .done
        }
        switch result.outcome {
        case .succeeded:
            try await payments.recordReversal(.refunded, for: attempt)
            return .done
        case .pending:
            return .retry(at: context.clock.now().addingTimeInterval(max(context.config.statusCheckAge, 1)), reason: "refund pending")
        case .failed(let reason):
            try await payments.recordReversal(.failed(reason: reason), for: attempt)
            return .done
        case .canceled:
            try await payments.recordReversal(.failed(reason: "refund_canceled"), for: attempt)
            return .done
        }
    }
}
