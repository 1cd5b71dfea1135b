import Foundation

/// `active` until it is paid (a single-use link, or a reusable one reaching `max_payments`: `completed`),
/// deactivated by the shop, or out of time (`expired`); nothing after.
public enum PaymentLinkStatus: String, CaseIterable, Codable, Sendable {
    case active
    case completed
    case deactivated
    case expired

    public var isFinal: Bool { self != .active }
}

/// How PayHub sends a link to its customer.
public enum PaymentLinkChannel: String, CaseIterable, Codable, Sendable {
    case email
    case sms
}

/// A link the shop sends (or PayHub sends for it) that opens a checkout session for one order. A single-use link
/// is paid once; a reusable one up to `maxPayments` times (unbounded without it).
public struct PaymentLink: Equatable, Sendable {
    public var id: PaymentLinkID
    public var status: PaymentLinkStatus
    public var reusable: Bool
    public var maxPayments: Int?
    public var paymentsCount: Int
    public var expiresAt: Date
    public var openedAt: Date?
    public var completedAt: Date?
    public var deactivatedAt: Date?
    public var expiredAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: PaymentLinkID, reusable: Bool, maxPayments: Int?, expiresAt: Date, createdAt: Date) {
        self.id = id
        self.status = .active
        self.reusable = reusable
        self.maxPayments = maxPayments
        self.paymentsCount = 0
        self.expiresAt = expiresAt
        self.createdAt = createdAt
        self.updatedAt = createdAt
    }
}

/// A link after a command, and the events to record with it (none when nothing changed).
public struct PaymentLinkTransition: Equatable, Sendable {
    public var link: PaymentLink
    public var events: [EventType]

    public var isNoOp: Bool { events.isEmpty }
}

/// What a link refuses.
public enum PaymentLinkViolation: Error, Equatable, Sendable, CustomStringConvertible {
    case maxPaymentsWithoutReusable
    case maxPaymentsOutOfRange(Int)
    case expiresAtOutOfRange(Int64)
    case notActive(PaymentLinkID, PaymentLinkStatus)

    public var code: String {
        switch self {
        case .maxPaymentsWithoutReusable, .maxPaymentsOutOfRange: "parameter_invalid"
        case .expiresAtOutOfRange: "expires_at_invalid"
        case .notActive(_, let status): "payment_link_\(status.rawValue)"
        }
    }

    public var param: String? {
        switch self {
        case .maxPaymentsWithoutReusable, .maxPaymentsOutOfRange: "max_payments"
        case .expiresAtOutOfRange: "expires_at"
        case .notActive: nil
        }
    }

    /// Whether the request was wrong (400), rather than the link's state (409).
    public var isInvalidInput: Bool {
        if case .notActive = self { return false }
        return true
    }

    public var description: String {
        switch self {
        case .maxPaymentsWithoutReusable: "max_payments applies to reusable links only: send reusable: true with it."
        case .maxPaymentsOutOfRange: "max_payments must be from 1 to \(PaymentLinkMachine.maximumPayments)."
        case .expiresAtOutOfRange:
            "expires_at must be a unix time (seconds) from 30 minutes to 30 days from now."
        case .notActive(let id, let status): "Payment link \(id) is \(status.rawValue): it can no longer be paid or sent."
        }
    }
}

/// The link's rules.
public enum PaymentLinkMachine {
    public static let maximumPayments = 1_000_000

    /// Checks the reuse options of a new link.
    public static func validate(reusable: Bool, maxPayments: Int?) throws(PaymentLinkViolation) {
        guard let maxPayments else { return }
        guard reusable else { throw .maxPaymentsWithoutReusable }
        guard (1...maximumPayments).contains(maxPayments) else { throw .maxPaymentsOutOfRange(maxPayments) }
    }

    /// Whether a customer may start paying it now.
    public static func isPayable(_ link: PaymentLink, at now: Date) -> Bool {
        link.status == .active && now < link.expiresAt
    }

    /// A checkout session of the link was paid. The payment is recorded whatever the link's state (a payment that
    /// was processing when the link ended is still a payment); an active link closes when it has all its payments.
    public static func recordPayment(_ link: PaymentLink, at now: Date) -> PaymentLinkTransition {
        var link = link
        link.paymentsCount += 1
        link.updatedAt = now
        if link.status == .active, !link.reusable || link.maxPayments.map({ link.paymentsCount >= $0 }) == true {
            link.status = .completed
            link.completedAt = now
        }
        return PaymentLinkTransition(link: link, events: [.paymentLinkPaid])
    }

    /// The first opening is recorded; later ones change nothing.
    public static func open(_ link: PaymentLink, at now: Date) -> PaymentLinkTransition {
        guard link.openedAt == nil else { return PaymentLinkTransition(link: link, events: []) }
        var link = link
        link.openedAt = now
        link.updatedAt = now
        return PaymentLinkTransition(link: link, events: [.paymentLinkOpened])
    }

    /// The shop ends it. Deactivating a deactivated link again is a no-op; a completed or expired one cannot be.
    public static func deactivate(_ link: PaymentLink, at now: Date) throws(PaymentLinkViolation) -> PaymentLinkTransition {
        switch link.status {
        case .deactivated: return PaymentLinkTransition(link: link, events: [])
        case .completed, .expired: throw .notActive(link.id, link.status)
        case .active:
            var link = link
            link.status = .deactivated
            link.deactivatedAt = now
            link.updatedAt = now
            return PaymentLinkTransition(link: link, events: [.paymentLinkDeactivated])
        }
    }

    /// Its time ran out: an active link expires (once); an ended one is left as it is.
    public static func expire(_ link: PaymentLink, at now: Date) -> PaymentLinkTransition {
        guard link.status == .active, now >= link.expiresAt else { return PaymentLinkTransition(link: link, events: []) }
        var link = link
        link.status = .expired
        link.expiredAt = now
        link.updatedAt = now
        return PaymentLinkTransition(link: link, events: [.paymentLinkExpired])
    }
}

/// How long a link stays active: 7 days unless the shop says otherwise, from 30 minutes to 30 days.
public enum PaymentLinkExpiry {
    public static let defaultLifetime: TimeInterval = 7 * 24 * 3600
    public static let minimumLifetime: TimeInterval = 30 * 60
    public static let maximumLifetime: TimeInterval = 30 * 24 * 3600

    public static func expiresAt(requested: Int64?, now: Date) throws(PaymentLinkViolation) -> Date {
        guard let requested else { return now.addingTimeInterval(defaultLifetime) }
        let lifetime = TimeInterval(requested) - now.timeIntervalSince1970
        guard lifetime >= minimumLifetime, lifetime <= maximumLifetime else { throw .expiresAtOutOfRange(requested) }
        return Date(timeIntervalSince1970: TimeInterval(requested))
    }

    /// When the reminder goes, `before` its expiry; nil when the link lives shorter than that from `now`.
    public static func reminderAt(expiresAt: Date, before: TimeInterval, now: Date) -> Date? {
        let at = expiresAt.addingTimeInterval(-before)
        return at > now ? at : nil
    }
}
