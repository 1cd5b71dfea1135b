/// A subscription's state, named as Stripe names them. The seeds' names (the original hub) map as follows:
///
/// | PayHub               | seeds            | meaning                                                          |
/// |----------------------|------------------|------------------------------------------------------------------|
/// | `incomplete`         | CREATED / PAYMENT_PENDING | created; the first payment is pending (CREATED before any attempt, PAYMENT_PENDING once one runs) |
/// | `incomplete_expired` | ABORTED          | the first payment never came within 23 hours                     |
/// | `trialing`           | ACTIVE           | in its free trial (or before a future `start_date`)              |
/// | `active`             | ACTIVE           | paid for the current period (a cancellation may be pending: still ACTIVE until the renewal day) |
/// | `past_due`           | PAYMENT_FAILED   | a renewal failed; dunning retries run                            |
/// | `canceled`           | ABORTED          | ended by a cancellation (now, at period end, or after dunning)   |
/// | `expired`            | EXPIRED          | reached its `end_date` or `max_renewals`                         |
public enum SubscriptionStatus: String, CaseIterable, Sendable, Codable {
    case incomplete
    case incompleteExpired = "incomplete_expired"
    case trialing
    case active
    case pastDue = "past_due"
    case canceled
    case expired

    /// Nothing happens to a subscription in these states any more.
    public var isTerminal: Bool { self == .incompleteExpired || self == .canceled || self == .expired }

    /// The seeds' name for this state.
    public var seedName: String {
        switch self {
        case .incomplete: "PAYMENT_PENDING"
        case .incompleteExpired, .canceled: "ABORTED"
        case .trialing, .active: "ACTIVE"
        case .pastDue: "PAYMENT_FAILED"
        case .expired: "EXPIRED"
        }
    }
}

/// Who runs the renewals: the provider's own subscription (`automatic`) or PayHub's renewal job (`manual`).
public enum RenewalKind: String, CaseIterable, Sendable, Codable {
    case automatic
    case manual
}

/// What happens when the last dunning retry failed: the subscription is canceled (the default) or left `past_due`
/// until the customer pays the open renewal by its link.
public enum DunningEnd: String, CaseIterable, Sendable, Codable {
    case cancel
    case leavePastDue = "leave_past_due"
}
