import Foundation
import PayHubCore

/// A refund as stored: the state `RefundMachine` changes, and the attempt and provider account it goes back through.
struct RefundRecord: Sendable, Equatable {
    var refund: Refund
    let scope: TenantScope
    let attemptID: PaymentAttemptID
    let provider: String
    let providerAccountID: ProviderAccountID
    let metadata: [String: String]
    /// The `Idempotency-Key` of the request that created it, if any.
    let idempotencyKey: String?
    var statusCheck: StatusCheckState

    var id: RefundID { refund.id }
    var paymentIntentID: PaymentIntentID { refund.paymentIntentID }
    var status: RefundStatus { refund.status }
}
