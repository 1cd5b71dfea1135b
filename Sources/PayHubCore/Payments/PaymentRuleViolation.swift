/// A command that the payment rules refuse. Each carries a stable code, a message and the offending parameter.
public enum PaymentRuleViolation: Error, Equatable, Sendable, CustomStringConvertible {
    case unexpectedState(PaymentIntentStatus, command: String)
    case attemptInProgress(PaymentAttemptID)
    case attemptNotActive(PaymentAttemptID)
    case attemptOfAnotherIntent
    /// The active attempt's outcome is unknown (its provider never answered) and could not be learnt now.
    case outcomeUnknown(PaymentAttemptID)
    case invalidAmount(Int64, param: String)
    case captureAmountTooLarge(requested: Int64, capturable: Int64)
    case refundAmountTooLarge(requested: Int64, refundable: Int64)
    case alreadyFullyRefunded
    case refundNotPending(RefundStatus)
    case manualCaptureOutcomeOnAutomaticIntent

    public var code: String {
        switch self {
        case .unexpectedState: "payment_intent_unexpected_state"
        case .attemptInProgress: "payment_attempt_in_progress"
        case .attemptNotActive: Self.attemptNotActiveCode
        case .attemptOfAnotherIntent: "payment_attempt_mismatch"
        case .outcomeUnknown: "payment_outcome_unknown"
        case .invalidAmount: "amount_invalid"
        case .captureAmountTooLarge, .refundAmountTooLarge: "amount_too_large"
        case .alreadyFullyRefunded: "charge_already_refunded"
        case .refundNotPending: "refund_unexpected_state"
        case .manualCaptureOutcomeOnAutomaticIntent: "provider_outcome_unexpected"
        }
    }

    public static let attemptNotActiveCode = "payment_attempt_not_active"

    public var param: String? {
        switch self {
        case .invalidAmount(_, let param): param
        case .captureAmountTooLarge, .refundAmountTooLarge: "amount"
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .unexpectedState(let status, let command):
            "This payment intent is \(status.rawValue); '\(command)' is not allowed in that state."
        case .attemptInProgress(let id):
            "Payment attempt \(id) is still in progress; wait for its outcome or cancel the payment intent."
        case .attemptNotActive(let id):
            "Payment attempt \(id) is not the active attempt of this payment intent."
        case .attemptOfAnotherIntent:
            "The attempt belongs to another payment intent."
        case .outcomeUnknown(let id):
            "The provider has not said yet how payment attempt \(id) ended, and could not be reached now; retry shortly."
        case .invalidAmount(let amount, _):
            "Amount must be a positive integer in the currency's minor unit; got \(amount)."
        case .captureAmountTooLarge(let requested, let capturable):
            "Cannot capture \(requested): only \(capturable) is capturable."
        case .refundAmountTooLarge(let requested, let refundable):
            "Cannot refund \(requested): only \(refundable) remains refundable."
        case .alreadyFullyRefunded:
            "This payment has already been fully refunded (or the rest is pending refund)."
        case .refundNotPending(let status):
            "This refund is \(status.rawValue) and cannot change any more."
        case .manualCaptureOutcomeOnAutomaticIntent:
            "The provider reported an authorisation to capture on an automatic-capture payment."
        }
    }
}
