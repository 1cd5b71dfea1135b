import Foundation

/// `open` until its payment intent is paid (`complete`) or it runs out of time or is expired (`expired`).
public enum CheckoutSessionStatus: String, CaseIterable, Codable, Sendable {
    case open
    case complete
    case expired

    public var isFinal: Bool { self != .open }
}

/// Where a shop sends its customer to pay: one order, in one currency, paid through one payment intent that the
/// session owns. Every attempt the customer makes is an attempt on that intent.
public struct CheckoutSession: Equatable, Sendable {
    public var id: CheckoutSessionID
    public var paymentIntentID: PaymentIntentID
    public var status: CheckoutSessionStatus
    public var totals: CheckoutTotals
    public var expiresAt: Date
    public var completedAt: Date?
    public var expiredAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: CheckoutSessionID, paymentIntentID: PaymentIntentID, totals: CheckoutTotals, expiresAt: Date, createdAt: Date) {
        self.id = id
        self.paymentIntentID = paymentIntentID
        self.status = .open
        self.totals = totals
        self.expiresAt = expiresAt
        self.createdAt = createdAt
        self.updatedAt = createdAt
    }

    public var amountTotal: Money { Money(minorUnits: totals.amountTotal, currency: totals.currency) }
}

/// A session after a command, and the events to record with it (none when the command repeated what was known).
public struct CheckoutSessionTransition: Equatable, Sendable {
    public var session: CheckoutSession
    public var events: [EventType]

    public var isNoOp: Bool { events.isEmpty }
}

/// The session's rules: `open` → `complete` | `expired`, and nothing after.
public enum CheckoutSessionMachine {
    /// Its payment intent was paid. Completing a complete session again is a no-op (a repeated webhook); an
    /// expired one cannot be paid.
    public static func complete(_ session: CheckoutSession, at now: Date) throws(CheckoutRuleViolation) -> CheckoutSessionTransition {
        switch session.status {
        case .complete: return CheckoutSessionTransition(session: session, events: [])
        case .expired: throw .sessionExpired(session.id)
        case .open:
            var session = session
            session.status = .complete
            session.completedAt = now
            session.updatedAt = now
            return CheckoutSessionTransition(session: session, events: [.checkoutSessionCompleted])
        }
    }

    /// Expired by the shop or by its time running out. Expiring an expired session again is a no-op (a repeated
    /// job); a complete one cannot be expired.
    public static func expire(_ session: CheckoutSession, at now: Date) throws(CheckoutRuleViolation) -> CheckoutSessionTransition {
        switch session.status {
        case .expired: return CheckoutSessionTransition(session: session, events: [])
        case .complete: throw .sessionComplete(session.id)
        case .open:
            var session = session
            session.status = .expired
            session.expiredAt = now
            session.updatedAt = now
            return CheckoutSessionTransition(session: session, events: [.checkoutSessionExpired])
        }
    }

    /// Whether the customer may still pay it now.
    public static func isPayable(_ session: CheckoutSession, at now: Date) -> Bool {
        session.status == .open && now < session.expiresAt
    }
}

/// How long a session stays open: 24 hours unless the shop says otherwise, from 30 minutes to 7 days.
public enum CheckoutExpiry {
    public static let defaultLifetime: TimeInterval = 24 * 3600
    public static let minimumLifetime: TimeInterval = 30 * 60
    public static let maximumLifetime: TimeInterval = 7 * 24 * 3600

    /// When a session created at `now` expires; `requested` (unix seconds) must be 30 minutes to 7 days ahead.
    public static func expiresAt(requested: Int64?, now: Date) throws(CheckoutRuleViolation) -> Date {
        guard let requested else { return now.addingTimeInterval(defaultLifetime) }
        let lifetime = TimeInterval(requested) - now.timeIntervalSince1970
        guard lifetime >= minimumLifetime, lifetime <= maximumLifetime else { throw .expiresAtOutOfRange(requested) }
        return Date(timeIntervalSince1970: TimeInterval(requested))
    }
}
