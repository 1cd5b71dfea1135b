import Foundation

/// When PayHub asks a provider how an unfinished attempt or refund stands: first once it is `firstCheckAfter`
/// old, then backing off (doubling) up to `maximumInterval`, so a backlog of stuck rows is checked in turn and a
/// new row is never starved by old ones. An attempt waiting for its customer is checked by the moment its action
/// expires.
public struct StatusCheckSchedule: Sendable, Equatable {
    public var firstCheckAfter: TimeInterval
    public var maximumInterval: TimeInterval
    /// How long a customer has for 3-D Secure, a wallet page or an OTP before PayHub gives the attempt up.
    public var actionTimeout: TimeInterval

    public init(firstCheckAfter: TimeInterval, maximumInterval: TimeInterval = 3600, actionTimeout: TimeInterval = 3600) {
        self.firstCheckAfter = firstCheckAfter
        self.maximumInterval = max(maximumInterval, firstCheckAfter)
        self.actionTimeout = actionTimeout
    }

    /// The wait after `checks` checks that changed nothing.
    public func delay(afterChecks checks: Int) -> TimeInterval {
        let doubled = firstCheckAfter * pow(2, Double(min(max(checks, 0), 30)))
        return min(max(doubled, 1), maximumInterval)
    }

    /// The next check of an attempt in `status` that last changed at `changedAt` and has had `checks` checks since.
    /// Nil when the attempt is final: nothing more to ask.
    public func nextCheck(status: PaymentAttemptStatus, changedAt: Date, checks: Int, now: Date) -> Date? {
        guard !status.isFinal else { return nil }
        if status == .requiresCapture {
            // Authorised and waiting for the merchant: an occasional check catches a capture or void made elsewhere.
            return now.addingTimeInterval(maximumInterval)
        }
        let next = now.addingTimeInterval(checks == 0 ? firstCheckAfter : delay(afterChecks: checks))
        guard status == .requiresAction else { return next }
        return min(next, max(actionDeadline(changedAt: changedAt), now))
    }

    /// The next check of a pending refund.
    public func nextCheck(refund status: RefundStatus, checks: Int, now: Date) -> Date? {
        guard !status.isFinal else { return nil }
        return now.addingTimeInterval(checks == 0 ? firstCheckAfter : delay(afterChecks: checks))
    }

    /// When an attempt that started waiting for its customer at `changedAt` expires.
    public func actionDeadline(changedAt: Date) -> Date { changedAt.addingTimeInterval(actionTimeout) }

    public func actionHasExpired(status: PaymentAttemptStatus, changedAt: Date, now: Date) -> Bool {
        status == .requiresAction && now >= actionDeadline(changedAt: changedAt)
    }
}
