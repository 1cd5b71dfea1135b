import Foundation
import PayHubCore

extension StripeSubscription {
    /// PayHub's view of the subscription. `now` decides what localstripe's "incomplete" means for a trial.
    func result(now: Date) throws -> ConnectorSubscriptionResult {
        let period = period
        return ConnectorSubscriptionResult(
            reference: id, status: try providerStatus(now: now),
            currentPeriodStart: period.map { Date(timeIntervalSince1970: TimeInterval($0.start)) },
            currentPeriodEnd: period.map { Date(timeIntervalSince1970: TimeInterval($0.end)) },
            cancelAtPeriodEnd: cancelAtPeriodEnd ?? false,
            latestRenewal: try latestInvoice?.object?.renewal(fallbackPeriod: period))
    }

    /// Stripe's statuses (https://docs.stripe.com/billing/subscriptions/overview#subscription-statuses):
    /// `unpaid` (retries exhausted, invoices left open) and `paused` (a trial ended without a method) still owe
    /// a period, as `past_due` does; `incomplete_expired` (the first invoice was never paid) ended unpaid.
    func providerStatus(now: Date) throws -> ProviderSubscriptionStatus {
        switch status {
        case "incomplete":
            // localstripe has no trialing: it leaves a subscription with a trial `incomplete` and uninvoiced until
            // its first invoice is paid. Stripe always invoices an incomplete subscription.
            if latestInvoice == nil, let trialEnd, TimeInterval(trialEnd) > now.timeIntervalSince1970 { return .trialing }
            return .incomplete
        case "trialing": return .trialing
        case "active": return .active
        case "past_due", "unpaid", "paused": return .pastDue
        case "canceled": return .canceled
        case "incomplete_expired": return .ended
        default: throw ConnectorError.invalidResponse("Stripe subscription in unexpected status '\(status)'")
        }
    }
}

extension StripeInvoice {
    /// The renewal this invoice charged or tried to; nil when it charges nothing (a trial's or a free period's
    /// zero invoice) or is not finalised yet (`draft`) or was voided: there is nothing to record then.
    func renewal(fallbackPeriod: (start: Int64, end: Int64)?) throws -> ProviderRenewal? {
        guard let status, ["open", "paid", "uncollectible"].contains(status), let amountDue, amountDue > 0 else { return nil }
        guard let code = currency, let currency = try? Currency(code: code) else {
            throw ConnectorError.invalidResponse("Stripe invoice \(id) has no currency PayHub knows")
        }
        let isPaid = status == "paid" || paid == true
        guard let minorUnits = StripeAmount.minorUnits(ofStripe: isPaid ? (amountPaid ?? amountDue) : amountDue, currencyCode: code) else {
            throw ConnectorError.invalidResponse("Stripe invoice \(id) has an amount PayHub cannot read")
        }
        let period = billedPeriod.map { ($0.start, $0.end) } ?? fallbackPeriod ?? periodStart.flatMap { start in periodEnd.map { (start, $0) } }
        guard let period else { throw ConnectorError.invalidResponse("Stripe invoice \(id) says no period") }
        return ProviderRenewal(
            reference: id, amount: Money(minorUnits: minorUnits, currency: currency), paid: isPaid,
            paymentReference: paymentReference,
            periodStart: Date(timeIntervalSince1970: TimeInterval(period.0)),
            periodEnd: Date(timeIntervalSince1970: TimeInterval(period.1)),
            paymentPageURL: hostedInvoiceURL.flatMap { URL(string: $0)?.scheme == "https" ? $0 : nil })
    }

    /// What an invoice event alone says of its subscription: a paid invoice leaves it active, a failed first
    /// invoice incomplete, a failed renewal past due. The subscription's own state (cancellation pending, its
    /// exact period) is `retrieveSubscription`'s to tell.
    func subscriptionResult(subscription: String, renewal: ProviderRenewal) -> ConnectorSubscriptionResult {
        let status: ProviderSubscriptionStatus = renewal.paid ? .active : (billingReason == "subscription_create" ? .incomplete : .pastDue)
        return ConnectorSubscriptionResult(
            reference: subscription, status: status, currentPeriodStart: renewal.periodStart, currentPeriodEnd: renewal.periodEnd,
            cancelAtPeriodEnd: false, latestRenewal: renewal, stateIsInferred: true)
    }
}
