import Foundation
import Logging
import PayHubConnectors
import SQLKit

extension JobKind {
    static let sandboxSettlement = JobKind("sandbox.settle")
}

/// The sandbox's asynchronous results as jobs: when a sandbox payment or refund will settle by itself, a job is
/// scheduled for that moment (in the transaction that recorded it) and sends the sandbox's signed webhook then.
struct SandboxSettlementJob: JobHandler {
    struct Payload: Codable, Sendable {
        var reference: String
        var account: String
        var refund: Bool
    }

    let simulator: SandboxSimulator
    var kind: JobKind { .sandboxSettlement }
    var lease: TimeInterval { 60 }

    func run(_ job: ClaimedJob) async throws -> JobOutcome {
        let payload = try job.decode(Payload.self)
        let settled = try await simulator.reportSettlement(reference: payload.reference, accountID: payload.account, isRefund: payload.refund)
        return settled ? .done : .retry(at: simulator.context.clock.now().addingTimeInterval(1), reason: "not settled yet")
    }

    /// Schedules the settlement of a sandbox attempt that will settle by itself; nothing for other providers.
    static func scheduleIfSimulated(attempt: PaymentAttemptRecord, context: PayHubContext, on tx: any SQLDatabase) async throws {
        guard attempt.provider == SandboxConnector.name, let reference = attempt.providerReference,
              !attempt.status.isFinal, let due = SandboxConnector.settlementDate(ofPayment: reference)
        else { return }
        try await schedule(
            Payload(reference: reference, account: attempt.providerAccountID.rawValue, refund: false), at: due, context: context, on: tx)
    }

    /// Schedules the settlement of a pending sandbox refund.
    static func scheduleIfSimulated(refund: RefundRecord, context: PayHubContext, on tx: any SQLDatabase) async throws {
        guard refund.provider == SandboxConnector.name, refund.status == .pending, let reference = refund.refund.providerReference,
              let due = SandboxConnector.settlementDate(ofRefund: reference)
        else { return }
        try await schedule(
            Payload(reference: reference, account: refund.providerAccountID.rawValue, refund: true), at: due, context: context, on: tx)
    }

    private static func schedule(_ payload: Payload, at due: Date, context: PayHubContext, on tx: any SQLDatabase) async throws {
        try await JobScheduler.enqueue(
            NewJob(kind: .sandboxSettlement, payload: payload, runAt: due, uniqueKey: "sandbox:\(payload.reference)"),
            context: context, on: tx)
    }
}
