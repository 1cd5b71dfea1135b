import Foundation
import PayHubCore

/// What the renewal job must do next with a subscription at `now` (its own clock's time): apply a fact that is
/// due, charge the open period (the renewal, or a dunning retry that is due), or wait until a date (nil: until a
/// payment's outcome or a merchant's request changes something).
enum SubscriptionStep: Equatable {
    case apply(SubscriptionCommand)
    /// Charge the open period off-session: try 0 is the renewal, try n the n-th dunning retry.
    case charge(period: Int, try: Int)
    case wait(until: Date?)
}

enum SubscriptionSchedule {
    static func next(_ record: SubscriptionRecord, now: Date, dunning: DunningSchedule) -> SubscriptionStep {
        let s = record.subscription
        func earliest(_ dates: [Date?]) -> SubscriptionStep { .wait(until: dates.compactMap { $0 }.min()) }
        // Automatic renewals are the provider's: after the first payment, PayHub only mirrors what it reports
        // (`ProviderSubscriptions`), so nothing here ever charges, renews or ends such a subscription.
        if record.renewal == .automatic && s.status != .incomplete { return .wait(until: nil) }
        switch s.status {
        case .incompleteExpired, .canceled, .expired:
            return .wait(until: nil)
        case .incomplete:
            let expiry = s.createdAt.addingTimeInterval(Subscription.firstPaymentWindow)
            return now >= expiry ? .apply(.firstPaymentExpired) : .wait(until: expiry)
        case .trialing:
            let notice = s.currentPeriodEnd.addingTimeInterval(-Subscription.trialWillEndNotice)
            if !record.trialWillEndSent && !s.cancelAtPeriodEnd {
                if now >= notice { return .apply(.trialWillEnd) }
            }
            if now >= s.currentPeriodEnd, let due = s.dueAtPeriodEnd { return .apply(due) }
            return earliest([record.trialWillEndSent || s.cancelAtPeriodEnd ? nil : notice, s.currentPeriodEnd])
        case .active:
            if let open = s.openPeriod { return .charge(period: open, try: 0) }
            if now >= s.currentPeriodEnd, let due = s.dueAtPeriodEnd { return .apply(due) }
            return .wait(until: s.currentPeriodEnd)
        case .pastDue:
            if s.cancelAtPeriodEnd && now >= s.currentPeriodEnd { return .apply(.periodEndedWithCancellation) }
            let periodEnd = s.cancelAtPeriodEnd ? s.currentPeriodEnd : nil
            guard !s.dunningExhausted, let open = s.openPeriod else { return earliest([periodEnd]) }
            if dunning.isExhausted(retriesDone: record.dunning.retries) { return .apply(.dunningExhausted) }
            guard let retryAt = record.dunning.nextRetryAt else { return earliest([periodEnd]) }
            if now >= retryAt { return .charge(period: open, try: record.dunning.retries + 1) }
            return earliest([retryAt, periodEnd])
        }
    }
}
