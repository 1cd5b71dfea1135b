/// The events PayHub records with every state change and delivers to merchants' webhook endpoints.
public enum EventType: String, CaseIterable, Codable, Sendable {
    case paymentIntentCreated = "payment_intent.created"
    case paymentIntentRequiresAction = "payment_intent.requires_action"
    case paymentIntentProcessing = "payment_intent.processing"
    case paymentIntentRequiresCapture = "payment_intent.requires_capture"
    case paymentIntentSucceeded = "payment_intent.succeeded"
    case paymentIntentPaymentFailed = "payment_intent.payment_failed"
    case paymentIntentCanceled = "payment_intent.canceled"
    /// A provider reported success for an attempt of an intent that was canceled or paid otherwise.
    case paymentIntentLateSuccess = "payment_intent.late_success"
    /// That late success was given back (voided or refunded), or could not be (`late_success_reversal_failed`).
    case paymentIntentLateSuccessReversed = "payment_intent.late_success_reversed"
    case paymentIntentLateSuccessReversalFailed = "payment_intent.late_success_reversal_failed"
    case refundCreated = "refund.created"
    case refundSucceeded = "refund.succeeded"
    case refundFailed = "refund.failed"
    case checkoutSessionCompleted = "checkout.session.completed"
    case checkoutSessionExpired = "checkout.session.expired"
    /// A merchant's checkout rules changed (each change gives the rule set a new version).
    case checkoutRuleCreated = "checkout_rule.created"
    case checkoutRuleDeleted = "checkout_rule.deleted"
    /// A notification (email or SMS) was accepted by the mail server or SMS gateway, or failed for good.
    case notificationSent = "notification.sent"
    case notificationFailed = "notification.failed"
    /// Pay by link: a link was created, sent (or sent again), opened for the first time, paid, expired or deactivated.
    case paymentLinkCreated = "payment_link.created"
    case paymentLinkSent = "payment_link.sent"
    case paymentLinkOpened = "payment_link.opened"
    case paymentLinkPaid = "payment_link.paid"
    case paymentLinkExpired = "payment_link.expired"
    case paymentLinkDeactivated = "payment_link.deactivated"
    /// A merchant's checkout settings (the origins allowed to embed its checkout) changed.
    case checkoutSettingsUpdated = "checkout_settings.updated"
    /// An invoice got its number: it never changes after this.
    case invoiceFinalized = "invoice.finalized"
    /// A credit note got its number: it never changes after this.
    case creditNoteFinalized = "credit_note.finalized"
    /// Subscriptions: created, changed (cancellation scheduled or undone, plan changed, first payment made), a
    /// period renewed and paid, a renewal failed (dunning runs), ended by cancellation or at its end, trial ends soon.
    case customerSubscriptionCreated = "customer.subscription.created"
    case customerSubscriptionUpdated = "customer.subscription.updated"
    case customerSubscriptionRenewed = "customer.subscription.renewed"
    case customerSubscriptionPastDue = "customer.subscription.past_due"
    case customerSubscriptionCanceled = "customer.subscription.canceled"
    case customerSubscriptionExpired = "customer.subscription.expired"
    case customerSubscriptionTrialWillEnd = "customer.subscription.trial_will_end"

    /// Whether an endpoint subscribed to `filter` (an event type, `*`, or a prefix such as `refund.*`) wants this event.
    public func matches(filter: String) -> Bool {
        if filter == "*" || filter == rawValue { return true }
        if filter.hasSuffix(".*") { return rawValue.hasPrefix(String(filter.dropLast())) }
        return false
    }

    /// Whether a filter names at least one event type.
    public static func isValidFilter(_ filter: String) -> Bool {
        allCases.contains { $0.matches(filter: filter) }
    }
}
