import FluentKit
import Foundation
import Logging
import PayHubCore

extension JobKind {
    static let subscriptionRenewal = JobKind("subscription.renew")
}

/// Runs what is due for one subscription (renewal, trial end, dunning retry, cancellation at period end,
/// expiration, the first payment's 23 hours): one job per subscription (its unique key), re-armed for what is due
/// next whenever the subscription changes. The lease keeps two processes from running it at once; if both did
/// (a lease that ran out), `SubscriptionRenewals` still charges each period once.
struct SubscriptionRenewalJob: JobHandler {
    struct Payload: Codable, Sendable {
        var subscription: String
    }

    let context: PayHubContext
    let db: any Database
    let logger: Logger

    var kind: JobKind { .subscriptionRenewal }
    var lease: TimeInterval { 300 }

    static func job(subscription id: SubscriptionID, at date: Date) -> NewJob {
        NewJob(kind: .subscriptionRenewal, payload: Payload(subscription: id.rawValue), runAt: date, uniqueKey: "sub_renewal:\(id)")
    }

    func run(_ job: ClaimedJob) async throws -> JobOutcome {
        guard let id = SubscriptionID(validating: try job.decode(Payload.self).subscription) else { return .done }
        switch try await SubscriptionRenewals(context: context, db: db, logger: logger).run(id) {
        case .done: return .done
        case .checkAgain(let date): return .reschedule(at: date)
        }
    }
}
