import Foundation

/// Everything that can happen to a subscription. Each goes through `SubscriptionMachine.apply`.
public enum SubscriptionCommand: Equatable, Sendable {
    /// The first payment (period 1) succeeded, failed (the customer may try again), or never came within 23 hours.
    case firstPaymentSucceeded
    case firstPaymentFailed
    case firstPaymentExpired
    /// Three days before the trial ends.
    case trialWillEnd
    /// The trial is over: period 1 starts and its payment is opened.
    case trialEnded
    /// The current period ended: the next one starts and its payment is opened.
    case renewalDue
    /// The open period's payment succeeded (a renewal, a dunning retry or the customer paying by the link).
    case renewalSucceeded
    /// The open period's payment failed (the first try, or a dunning retry).
    case renewalFailed
    /// The last dunning retry failed.
    case dunningExhausted
    case cancel(atPeriodEnd: Bool)
    /// Undo a pending cancellation at period end.
    case resume
    /// The current period ended while a cancellation was pending: the subscription ends, charging nothing more.
    case periodEndedWithCancellation
    /// The current period ended and the end date or the renewal limit is reached.
    case endReached
    /// A new amount and/or interval from the next renewal on.
    case changePlan(amount: Money?, interval: BillingInterval?)

    public var name: String {
        switch self {
        case .firstPaymentSucceeded: "first_payment_succeeded"
        case .firstPaymentFailed: "first_payment_failed"
        case .firstPaymentExpired: "first_payment_expired"
        case .trialWillEnd: "trial_will_end"
        case .trialEnded: "trial_ended"
        case .renewalDue: "renewal_due"
        case .renewalSucceeded: "renewal_succeeded"
        case .renewalFailed: "renewal_failed"
        case .dunningExhausted: "dunning_exhausted"
        case .cancel(let atPeriodEnd): atPeriodEnd ? "cancel_at_period_end" : "cancel"
        case .resume: "resume"
        case .periodEndedWithCancellation: "period_ended_with_cancellation"
        case .endReached: "end_reached"
        case .changePlan: "change_plan"
        }
    }
}

/// A command the subscription rules refuse, with a stable code.
public enum SubscriptionRuleViolation: Error, Equatable, Sendable, CustomStringConvertible {
    case unexpectedState(SubscriptionStatus, command: String)
    /// The fact's time has not come: the current period (or the first payment window, or the trial) is not over.
    case notDueYet(command: String, due: Date)
    /// A renewal is already open for the current period.
    case paymentOpen(period: Int)
    /// No payment is open: there is nothing to succeed or fail.
    case noPaymentOpen
    case noPendingCancellation
    case cancellationPending
    /// The end date or renewal limit is (or is not) reached, so this period end means the other thing.
    case endReached
    case endNotReached
    /// A paid period is never cut short by dunning.
    case periodStillPaid(until: Date)
    case currencyChange
    case nothingToChange

    public var code: String {
        switch self {
        case .unexpectedState: "subscription_unexpected_state"
        case .notDueYet: "subscription_not_due"
        case .paymentOpen: "subscription_payment_open"
        case .noPaymentOpen: "subscription_no_payment_open"
        case .noPendingCancellation: "subscription_no_pending_cancellation"
        case .cancellationPending: "subscription_cancellation_pending"
        case .endReached: "subscription_end_reached"
        case .endNotReached: "subscription_end_not_reached"
        case .periodStillPaid: "subscription_period_paid"
        case .currencyChange: "currency_mismatch"
        case .nothingToChange: "parameter_missing"
        }
    }

    public var description: String {
        switch self {
        case .unexpectedState(let status, let command): "This subscription is \(status.rawValue); '\(command)' is not allowed in that state."
        case .notDueYet(let command, let due): "'\(command)' is not due before \(due)."
        case .paymentOpen(let period): "The payment for period \(period) is still open."
        case .noPaymentOpen: "This subscription has no open payment."
        case .noPendingCancellation: "This subscription has no pending cancellation to undo."
        case .cancellationPending: "This subscription is canceled at the end of its period; resume it first."
        case .endReached: "This subscription reached its end date or renewal limit."
        case .endNotReached: "This subscription has not reached its end date or renewal limit."
        case .periodStillPaid(let until): "The current period is paid until \(until); it is never cut short."
        case .currencyChange: "A subscription's currency cannot change."
        case .nothingToChange: "Give amount or interval."
        }
    }
}
