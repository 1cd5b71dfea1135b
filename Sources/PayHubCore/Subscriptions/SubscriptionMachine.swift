import Foundation

/// The result of a command: the new subscription, whether a period started (and needs a payment), and the events
/// to record with it.
public struct SubscriptionTransition: Equatable, Sendable {
    public var subscription: Subscription
    public var events: [EventType]
    /// The period that started with this command, when one did.
    public var startedPeriod: Int?

    public init(subscription: Subscription, events: [EventType], startedPeriod: Int? = nil) {
        self.subscription = subscription
        self.events = events
        self.startedPeriod = startedPeriod
    }

    /// A period started whose payment must now be made (a renewal intent and its off-session attempt).
    public var opensPayment: Bool { startedPeriod != nil && subscription.openPeriod == startedPeriod }
}

/// The one function every change to a subscription goes through. Pure: time comes in as `now`.
///
/// The rule that no one may break: a period already paid is never cut short. A cancellation at period end, a
/// failed renewal and the end of dunning all take effect at or after `paidThrough`; only an explicit immediate
/// cancellation ends access earlier.
public enum SubscriptionMachine {
    public static func apply(
        _ command: SubscriptionCommand, to subscription: Subscription, at now: Date
    ) throws(SubscriptionRuleViolation) -> SubscriptionTransition {
        var next = subscription
        next.updatedAt = now
        let status = subscription.status
        func refuse() -> SubscriptionRuleViolation { .unexpectedState(status, command: command.name) }
        func due(_ date: Date) throws(SubscriptionRuleViolation) {
            if now < date { throw .notDueYet(command: command.name, due: date) }
        }

        switch command {
        case .firstPaymentSucceeded:
            guard status == .incomplete else { throw refuse() }
            // Period 1 starts when the customer paid, not when the subscription was created.
            next.anchor = now
            next.anchorPeriod = 1
            next.currentPeriod = 1
            (next.currentPeriodStart, next.currentPeriodEnd) = next.bounds(of: 1)
            next.paidThrough = next.currentPeriodEnd
            next.openPeriod = nil
            next.status = .active
            return SubscriptionTransition(subscription: next, events: [.customerSubscriptionUpdated])

        case .firstPaymentFailed:
            guard status == .incomplete else { throw refuse() }
            return SubscriptionTransition(subscription: next, events: [])

        case .firstPaymentExpired:
            guard status == .incomplete else { throw refuse() }
            try due(subscription.createdAt.addingTimeInterval(Subscription.firstPaymentWindow))
            next.status = .incompleteExpired
            next.openPeriod = nil
            next.endedAt = now
            return SubscriptionTransition(subscription: next, events: [.customerSubscriptionUpdated])

        case .trialWillEnd:
            guard status == .trialing else { throw refuse() }
            try due(subscription.currentPeriodEnd.addingTimeInterval(-Subscription.trialWillEndNotice))
            next.updatedAt = subscription.updatedAt
            return SubscriptionTransition(subscription: next, events: [.customerSubscriptionTrialWillEnd])

        case .trialEnded:
            guard status == .trialing else { throw refuse() }
            try due(subscription.currentPeriodEnd)
            if subscription.cancelAtPeriodEnd { throw .cancellationPending }
            next.applyPendingPlan(from: subscription.currentPeriodEnd, startingPeriod: 1)
            return next.startPeriod(1)

        case .renewalDue:
            guard status == .active else {
                if status == .pastDue, let open = subscription.openPeriod { throw .paymentOpen(period: open) }
                throw refuse()
            }
            if let open = subscription.openPeriod { throw .paymentOpen(period: open) }
            try due(subscription.currentPeriodEnd)
            if subscription.cancelAtPeriodEnd { throw .cancellationPending }
            if subscription.reachesItsEnd { throw .endReached }
            next.applyPendingPlan(from: subscription.currentPeriodEnd, startingPeriod: subscription.currentPeriod + 1)
            return next.startPeriod(subscription.currentPeriod + 1)

        case .renewalSucceeded:
            guard status == .active || status == .pastDue else { throw refuse() }
            guard subscription.openPeriod != nil else { throw .noPaymentOpen }
            next.openPeriod = nil
            next.paidThrough = subscription.currentPeriodEnd
            next.status = .active
            next.dunningExhausted = false
            return SubscriptionTransition(subscription: next, events: [.customerSubscriptionRenewed])

        case .renewalFailed:
            guard status == .active || status == .pastDue else { throw refuse() }
            guard subscription.openPeriod != nil else { throw .noPaymentOpen }
            next.status = .pastDue
            return SubscriptionTransition(subscription: next, events: status == .active ? [.customerSubscriptionPastDue] : [])

        case .dunningExhausted:
            guard status == .pastDue, !subscription.dunningExhausted else { throw refuse() }
            if let paidThrough = subscription.paidThrough, now < paidThrough { throw .periodStillPaid(until: paidThrough) }
            switch subscription.dunningEnd {
            case .cancel:
                next.end(as: .canceled, at: now)
                next.canceledAt = now
                return SubscriptionTransition(subscription: next, events: [.customerSubscriptionCanceled])
            case .leavePastDue:
                next.dunningExhausted = true
                return SubscriptionTransition(subscription: next, events: [.customerSubscriptionUpdated])
            }

        case .cancel(let atPeriodEnd):
            guard !status.isTerminal else { throw refuse() }
            if atPeriodEnd && status != .incomplete {
                if subscription.cancelAtPeriodEnd { return SubscriptionTransition(subscription: subscription, events: []) }
                next.cancelAtPeriodEnd = true
                next.canceledAt = now
                return SubscriptionTransition(subscription: next, events: [.customerSubscriptionUpdated])
            }
            // Immediately on request (or an incomplete one: nothing was paid, nothing to keep).
            next.end(as: .canceled, at: now)
            next.canceledAt = now
            return SubscriptionTransition(subscription: next, events: [.customerSubscriptionCanceled])

        case .resume:
            guard !status.isTerminal else { throw refuse() }
            guard subscription.cancelAtPeriodEnd else { throw .noPendingCancellation }
            next.cancelAtPeriodEnd = false
            next.canceledAt = nil
            return SubscriptionTransition(subscription: next, events: [.customerSubscriptionUpdated])

        case .periodEndedWithCancellation:
            guard [.trialing, .active, .pastDue].contains(status) else { throw refuse() }
            guard subscription.cancelAtPeriodEnd else { throw .noPendingCancellation }
            try due(subscription.currentPeriodEnd)
            next.end(as: .canceled, at: max(now, subscription.currentPeriodEnd))
            next.endedAt = subscription.currentPeriodEnd
            return SubscriptionTransition(subscription: next, events: [.customerSubscriptionCanceled])

        case .endReached:
            guard status == .active else { throw refuse() }
            if let open = subscription.openPeriod { throw .paymentOpen(period: open) }
            try due(subscription.currentPeriodEnd)
            if subscription.cancelAtPeriodEnd { throw .cancellationPending }
            guard subscription.reachesItsEnd else { throw .endNotReached }
            next.end(as: .expired, at: subscription.currentPeriodEnd)
            return SubscriptionTransition(subscription: next, events: [.customerSubscriptionExpired])

        case .changePlan(let amount, let interval):
            guard !status.isTerminal else { throw refuse() }
            guard amount != nil || interval != nil else { throw .nothingToChange }
            if let amount {
                guard amount.currency == subscription.amount.currency else { throw .currencyChange }
                next.pendingAmount = amount
            }
            if let interval { next.pendingInterval = interval }
            return SubscriptionTransition(subscription: next, events: [.customerSubscriptionUpdated])
        }
    }
}

extension Subscription {
    /// A plan change takes effect with the period that starts now; a new interval re-anchors the periods there.
    fileprivate mutating func applyPendingPlan(from start: Date, startingPeriod period: Int) {
        if let pendingAmount { amount = pendingAmount }
        if let pendingInterval {
            interval = pendingInterval
            anchor = start
            anchorPeriod = period
        }
        pendingAmount = nil
        pendingInterval = nil
    }

    fileprivate func startPeriod(_ period: Int) -> SubscriptionTransition {
        var next = self
        next.currentPeriod = period
        (next.currentPeriodStart, next.currentPeriodEnd) = next.bounds(of: period)
        next.openPeriod = period
        next.status = .active
        return SubscriptionTransition(subscription: next, events: [], startedPeriod: period)
    }

    fileprivate mutating func end(as final: SubscriptionStatus, at date: Date) {
        status = final
        endedAt = date
        openPeriod = nil
        cancelAtPeriodEnd = false
    }
}
