/// What a notification tells the customer. Each event has a fixed set of template variables: a template that uses
/// another is refused when saved, and a sender that passes another is a programming error.
public enum NotificationEvent: String, CaseIterable, Sendable, Codable {
    case paymentLink = "payment_link"
    case paymentLinkReminder = "payment_link_reminder"
    case paymentSucceeded = "payment_succeeded"
    case paymentFailed = "payment_failed"
    case refundPartial = "refund_partial"
    case refundTotal = "refund_total"
    /// An invoice, its PDF attached (`POST /v1/invoices/{id}/send`).
    case invoice
    /// Subscriptions: a period renewed and paid, a renewal failed (with the page to pay it), the subscription
    /// ended by cancellation, its trial ends in three days.
    case subscriptionRenewed = "subscription_renewed"
    case subscriptionPaymentFailed = "subscription_payment_failed"
    case subscriptionCanceled = "subscription_canceled"
    case subscriptionTrialWillEnd = "subscription_trial_will_end"

    /// The variables every event has.
    public static let commonVariables: Set<String> = ["merchant_name", "customer_name", "amount", "payment_intent"]

    /// The variables this event's templates may use.
    public var variables: Set<String> {
        switch self {
        case .paymentLink, .paymentLinkReminder: Self.commonVariables.union(["link_url", "expires_at", "description"])
        case .paymentSucceeded: Self.commonVariables.union(["paid_at"])
        case .paymentFailed: Self.commonVariables
        case .refundPartial: Self.commonVariables.union(["refund_amount", "amount_refunded", "refunded_at"])
        case .refundTotal: Self.commonVariables.union(["refund_amount", "refunded_at"])
        case .invoice: Self.commonVariables.union(["invoice_number", "issue_date"])
        case .subscriptionRenewed: Self.commonVariables.union(["subscription", "period_start", "period_end"])
        case .subscriptionPaymentFailed: Self.commonVariables.union(["subscription", "link_url", "next_retry_at"])
        case .subscriptionCanceled: Self.commonVariables.union(["subscription", "ended_at"])
        case .subscriptionTrialWillEnd: Self.commonVariables.union(["subscription", "trial_end"])
        }
    }
}

/// How a notification reaches the customer.
public enum NotificationChannel: String, CaseIterable, Sendable, Codable {
    case email, sms
}

/// Where a notification stands: `queued` until a send starts, `sending` while one runs (a claim with a lease), then
/// `sent`, or `failed` once a permanent refusal or the last retry says it never will be.
public enum NotificationStatus: String, CaseIterable, Sendable, Codable {
    case queued, sending, sent, failed

    public var isFinal: Bool { self == .sent || self == .failed }
}
