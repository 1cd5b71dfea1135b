import FluentKit
import Foundation
import Logging
import PayHubCore

extension JobKind {
    static let providerSubscription = JobKind("subscription.provider")
}

/// Automatic renewals: creates a subscription's provider subscription once its first payment saved the method,
/// then reads it back every few hours (and soon after a webhook that only implied its state), mirroring what the
/// provider says (`ProviderSubscriptions.sync`). One job per subscription (its unique key); a failed provider call
/// is retried with the scheduler's backoff, under the same idempotency key.
struct ProviderSubscriptionJob: JobHandler {
    struct Payload: Codable, Sendable {
        var subscription: String
    }

    let context: PayHubContext
    let db: any Database
    let logger: Logger

    var kind: JobKind { .providerSubscription }
    var lease: TimeInterval { 120 }

    static func job(subscription id: SubscriptionID, at date: Date) -> NewJob {
        NewJob(kind: .providerSubscription, payload: Payload(subscription: id.rawValue), runAt: date, uniqueKey: "sub_provider:\(id)")
    }

    func run(_ job: ClaimedJob) async throws -> JobOutcome {
        guard let id = SubscriptionID(validating: try job.decode(Payload.self).subscription) else { return .done }
        guard let next = try await ProviderSubscriptions(context: context, db: db, logger: logger).sync(id) else { return .done }
        return .reschedule(at: next)
    }
}
