import Foundation
import PayHubConnectors
import PayHubCore

/// A payment intent as stored: the state `PaymentMachine` changes, whose it is, and what the merchant said of it.
struct PaymentIntentRecord: Sendable, Equatable {
    var intent: PaymentIntent
    let scope: TenantScope
    var customerReference: String?
    var purchaseReference: String?
    var description: String?
    var metadata: [String: String]
    var customer: CustomerDetails?
    /// The `Idempotency-Key` of the request that created it, if any.
    var idempotencyKey: String?

    var id: PaymentIntentID { intent.id }
}

/// An intent with its attempts, oldest first: what the API shows as one payment intent.
struct PaymentIntentAggregate: Sendable, Equatable {
    var intent: PaymentIntentRecord
    var attempts: [PaymentAttemptRecord]

    var id: PaymentIntentID { intent.id }
    var scope: TenantScope { intent.scope }

    /// The attempt the intent counts on now.
    var activeAttempt: PaymentAttemptRecord? {
        guard let id = intent.intent.activeAttemptID else { return nil }
        return attempts.last { $0.id == id }
    }

    func attempt(_ id: PaymentAttemptID) -> PaymentAttemptRecord? {
        attempts.first { $0.id == id }
    }
}
