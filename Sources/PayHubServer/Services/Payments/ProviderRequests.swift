import Foundation
import PayHubConnectors
import PayHubCore

/// The one builder of every request PayHub sends a provider about a payment or a refund, from what it stored.
/// The first call and every retry use it, so a retry under the same provider idempotency key sends exactly the
/// same request (providers that compare idempotent requests refuse one that differs).
enum ProviderRequests {
    static func payment(intent: PaymentIntentModel, attempt: PaymentAttemptModel) throws -> ConnectorPaymentRequest {
        guard let stored = JSONText.decode(PaymentMethodObject.self, from: attempt.paymentMethod) else {
            throw StoredValueInvalid(table: "payment_attempts", column: "payment_method", id: attempt.id ?? "")
        }
        guard let captureMethod = CaptureMethod(rawValue: intent.captureMethod) else {
            throw StoredValueInvalid(table: "payment_intents", column: "capture_method", id: intent.id ?? "")
        }
        let customer = try intent.customer.map { json in
            guard let customer = JSONText.decode(CustomerObject.self, from: json) else {
                throw StoredValueInvalid(table: "payment_intents", column: "customer", id: intent.id ?? "")
            }
            return CustomerDetails(name: customer.name, email: customer.email, phone: customer.phone, locale: customer.locale)
        }
        let attemptID = try PaymentAttemptID(parsing: attempt.id ?? "")
        return ConnectorPaymentRequest(
            attemptID: attemptID, paymentIntentID: try PaymentIntentID(parsing: intent.id ?? ""),
            amount: Money(minorUnits: intent.amount, currency: try Currency(code: intent.currency)),
            captureMethod: captureMethod,
            method: PaymentMethodData(
                type: stored.type, token: stored.token, msisdn: stored.msisdn, country: stored.country, network: stored.network),
            returnURL: attempt.returnURL, description: intent.paymentDescription, customer: customer,
            idempotencyKey: attemptID.rawValue)
    }

    static func refund(_ refund: RefundModel, paymentReference: String) throws -> ConnectorRefundRequest {
        let refundID = try RefundID(parsing: refund.id ?? "")
        return ConnectorRefundRequest(
            refundID: refundID, paymentReference: paymentReference,
            amount: Money(minorUnits: refund.amount, currency: try Currency(code: refund.currency)),
            reason: try refund.reason.map { raw in
                guard let reason = RefundReason(rawValue: raw) else {
                    throw StoredValueInvalid(table: "refunds", column: "reason", id: refund.id ?? "")
                }
                return reason
            },
            idempotencyKey: refundID.rawValue)
    }

    /// Gives back a late success in full: one refund per attempt, under a key of its own.
    static func lateSuccessRefund(attempt: PaymentAttemptModel, amount: Money, paymentReference: String) -> ConnectorRefundRequest {
        let key = "reversal_" + (attempt.id ?? "")
        return ConnectorRefundRequest(
            refundID: RefundID(rawValue: "re_" + key), paymentReference: paymentReference, amount: amount, reason: .duplicate,
            idempotencyKey: key)
    }
}
