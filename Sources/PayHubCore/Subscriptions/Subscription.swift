import Foundation

/// A subscription as the rules see it: its state, its periods and what is pending. Periods are numbered: period 0
/// is a trial (or the free time before a future start), period 1 the first paid period, period n the (n-1)-th
/// renewal. Every period's bounds are computed from an anchor (`BillingInterval.date(after:from:)`), never from the
/// previous period's end, so months keep the anchor's day.
public struct Subscription: Equatable, Sendable {
    public var id: SubscriptionID
    public var status: SubscriptionStatus
    public var amount: Money
    public var interval: BillingInterval
    /// The start of period `anchorPeriod`; later periods are counted from it. A plan change moves it.
    public var anchor: Date
    public var anchorPeriod: Int
    /// The period the subscription is in (0 while trialing, 1 from the first payment).
    public var currentPeriod: Int
    public var currentPeriodStart: Date
    public var currentPeriodEnd: Date
    /// The end of the last period that was paid for; access never ends before it unless canceled on request.
    public var paidThrough: Date?
    /// A period whose payment is open (its renewal intent exists and has not succeeded yet).
    public var openPeriod: Int?
    public var trialEnd: Date?
    public var cancelAtPeriodEnd: Bool
    public var canceledAt: Date?
    public var endedAt: Date?
    /// Expiration: the subscription ends when a period would start at or after `endDate`, or after `maxRenewals` renewals.
    public var endDate: Date?
    public var maxRenewals: Int?
    /// A plan change waiting for the next renewal.
    public var pendingAmount: Money?
    public var pendingInterval: BillingInterval?
    public var dunningEnd: DunningEnd
    /// Set once the last dunning retry failed and the subscription was left `past_due`.
    public var dunningExhausted: Bool
    public var createdAt: Date
    public var updatedAt: Date

    /// How long a first payment may stay pending before the subscription is `incomplete_expired`.
    public static let firstPaymentWindow: TimeInterval = 23 * 3600
    /// `customer.subscription.trial_will_end` comes this long before the trial ends (as Stripe sends it).
    public static let trialWillEndNotice: TimeInterval = 3 * 86_400

    /// A new subscription: `incomplete` until its first payment, or `trialing` when it has a trial (or starts later),
    /// whose end is the first paid period's start (and its first charge).
    public init(
        id: SubscriptionID, amount: Money, interval: BillingInterval, trialDays: Int = 0, startDate: Date? = nil,
        endDate: Date? = nil, maxRenewals: Int? = nil, dunningEnd: DunningEnd = .cancel, createdAt: Date
    ) {
        let start = max(startDate ?? createdAt, createdAt)
        let firstPaidStart = start.addingTimeInterval(TimeInterval(trialDays) * 86_400)
        self.id = id
        self.amount = amount
        self.interval = interval
        self.anchorPeriod = 1
        self.anchor = firstPaidStart
        self.endDate = endDate
        self.maxRenewals = maxRenewals
        self.dunningEnd = dunningEnd
        self.cancelAtPeriodEnd = false
        self.dunningExhausted = false
        self.createdAt = createdAt
        self.updatedAt = createdAt
        if firstPaidStart > createdAt {
            status = .trialing
            trialEnd = firstPaidStart
            currentPeriod = 0
            currentPeriodStart = createdAt
            currentPeriodEnd = firstPaidStart
        } else {
            status = .incomplete
            currentPeriod = 1
            currentPeriodStart = createdAt
            currentPeriodEnd = interval.date(after: 1, from: createdAt)
            openPeriod = 1
        }
    }

    /// The bounds of period `period` (1 or later) under the current anchor and interval.
    public func bounds(of period: Int) -> (start: Date, end: Date) {
        (interval.date(after: period - anchorPeriod, from: anchor), interval.date(after: period - anchorPeriod + 1, from: anchor))
    }

    /// Renewals so far: paid periods after the first.
    public var renewals: Int { max(currentPeriod - 1, 0) }

    /// Whether the period after the current one must not start: the end date or the renewal limit is reached.
    public var reachesItsEnd: Bool {
        if let maxRenewals, currentPeriod >= 1, renewals >= maxRenewals { return true }
        if let endDate, currentPeriodEnd >= endDate { return true }
        return false
    }

    /// What the scheduler must do when the current period ends, or nil when nothing is due then.
    public var dueAtPeriodEnd: SubscriptionCommand? {
        switch status {
        case .incomplete, .incompleteExpired, .canceled, .expired: return nil
        case .pastDue: return cancelAtPeriodEnd ? .periodEndedWithCancellation : nil
        case .trialing: return cancelAtPeriodEnd ? .periodEndedWithCancellation : .trialEnded
        case .active:
            if cancelAtPeriodEnd { return .periodEndedWithCancellation }
            if reachesItsEnd { return .endReached }
            return openPeriod == nil ? .renewalDue : nil
        }
    }
}
