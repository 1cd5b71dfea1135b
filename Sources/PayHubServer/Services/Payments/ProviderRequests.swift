import Foundation
import PayHubConnectors
import PayHubCore

/// The one builder of every request PayHub sends a provider about a payment or a refund, from what it stored.
/// The first call and every retry use it, so a retry under the same provider idempotency key sends exactly the
/// same request (providers that compare idempotent requests refuse one that differs).
enum ProviderRequests {
    static func payment(intent: PaymentIntentRecord, attempt: PaymentAttemptRecord) -> ConnectorPaymentRequest {
        // A subscription's payment saves the method it is paid with; a renewal's off-session try charges the saved
        // one under a key derived from the subscription, the period and the try.
        let subscription = SubscriptionPaymentMetadata(intent.metadata)
        let offSession = subscription?.offSessionMethod(forAttemptKey: attempt.idempotencyKey)
        return ConnectorPaymentRequest(
            attemptID: attempt.id, paymentIntentID: intent.id, amount: intent.intent.amount,
            captureMethod: intent.intent.captureMethod, method: attempt.paymentMethod,
            returnURL: attempt.returnURL, description: intent.description, customer: intent.customer,
            idempotencyKey: offSession != nil ? attempt.idempotencyKey ?? attempt.id.rawValue : attempt.id.rawValue,
            saveForOffSession: subscription != nil && offSession == nil, offSessionMethod: offSession)
    }

    static func refund(_ refund: RefundRecord, paymentReference: String) -> ConnectorRefundRequest {
        ConnectorRefundRequest(
            refundID: refund.id, paymentReference: paymentReference, amount: refund.refund.amount, reason: refund.refund.reason,
            idempotencyKey: refund.id.rawValue)
    }

    /// Gives back a late success in full: one refund per attempt, under a key of its own.
    static func lateSuccessRefund(attempt: PaymentAttemptRecord, amount: Money, paymentReference: String) -> ConnectorRefundRequest {
        let key = "reversal_" + attempt.id.rawValue
        return ConnectorRefundRequest(
            refundID: RefundID(rawValue: "re_" + key), paymentReference: paymentReference, amount: amount, reason: .duplicate,
            idempotencyKey: key)
    }
}
