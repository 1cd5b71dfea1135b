import Foundation
import PayHubConnectors
import PayHubCore

/// A payment attempt as stored: the state `PaymentMachine` changes, and what PayHub needs to ask its provider again.
struct PaymentAttemptRecord: Sendable, Equatable {
    var attempt: PaymentAttempt
    let scope: TenantScope
    let providerAccountID: ProviderAccountID
    /// As sent: tokens and phone numbers, never card numbers or OTPs.
    let paymentMethod: PaymentMethodData
    let returnURL: String?
    /// The `Idempotency-Key` of the request that started it, if any.
    let idempotencyKey: String?
    var statusCheck: StatusCheckState
    /// The provider's reference of the refund that gives a late success back.
    var lateSuccessReversalReference: String?

    var id: PaymentAttemptID { attempt.id }
    var paymentIntentID: PaymentIntentID { attempt.paymentIntentID }
    var provider: String { attempt.provider }
    var status: PaymentAttemptStatus { attempt.status }
    var providerReference: String? { attempt.providerReference }
}

/// When the status check asks the provider next (nil once final), and how often it asked since the last change.
struct StatusCheckState: Sendable, Equatable {
    var nextAt: Date?
    var count: Int

    static func first(_ nextAt: Date?) -> StatusCheckState { StatusCheckState(nextAt: nextAt, count: 0) }
}
