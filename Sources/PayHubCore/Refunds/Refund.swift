import Foundation

public enum RefundStatus: String, CaseIterable, Codable, Sendable {
    case pending
    case succeeded
    case failed
    case canceled

    public var isFinal: Bool { self != .pending }
}

public enum RefundReason: String, CaseIterable, Codable, Sendable {
    case duplicate
    case fraudulent
    case requestedByCustomer = "requested_by_customer"
}

/// Money given back from a succeeded payment intent. Asynchronous: `pending` until the provider says.
public struct Refund: Equatable, Sendable {
    public var id: RefundID
    public var paymentIntentID: PaymentIntentID
    public var amount: Money
    public var status: RefundStatus
    public var reason: RefundReason?
    public var failureReason: String?
    public var providerReference: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: RefundID, paymentIntentID: PaymentIntentID, amount: Money, reason: RefundReason?, createdAt: Date
    ) {
        self.id = id
        self.paymentIntentID = paymentIntentID
        self.amount = amount
        self.status = .pending
        self.reason = reason
        self.createdAt = createdAt
        self.updatedAt = createdAt
    }
}

public enum RefundOutcome: Equatable, Sendable {
    case pending
    case succeeded
    case failed(reason: String)
    case canceled

    var status: RefundStatus {
        switch self {
        case .pending: .pending
        case .succeeded: .succeeded
        case .failed: .failed
        case .canceled: .canceled
        }
    }
}

public struct RefundTransition: Equatable, Sendable {
    public var intent: PaymentIntent
    public var refund: Refund
    public var events: [EventType]
    public var isNoOp: Bool { events.isEmpty }
}

/// Refund rules: several partial refunds up to what was captured; a pending refund reserves its amount,
/// a failed or canceled one frees it again.
public enum RefundMachine {
    public static func request(
        id: RefundID, amount: Int64?, reason: RefundReason?, on intent: PaymentIntent, at now: Date
    ) throws(PaymentRuleViolation) -> RefundTransition {
        guard intent.status == .succeeded else { throw .unexpectedState(intent.status, command: "refund") }
        let refundable = intent.amountRefundable
        guard refundable > 0 else { throw .alreadyFullyRefunded }
        let requested = amount ?? refundable
        guard requested > 0 else { throw .invalidAmount(requested, param: "amount") }
        guard requested <= refundable else { throw .refundAmountTooLarge(requested: requested, refundable: refundable) }
        var intent = intent
        intent.amountRefundPending += requested
        intent.updatedAt = now
        let refund = Refund(
            id: id, paymentIntentID: intent.id,
            amount: Money(minorUnits: requested, currency: intent.amount.currency),
            reason: reason, createdAt: now
        )
        return RefundTransition(intent: intent, refund: refund, events: [.refundCreated])
    }

    public static func settle(
        _ refund: Refund, outcome: RefundOutcome, providerReference: String? = nil,
        on intent: PaymentIntent, at now: Date
    ) throws(PaymentRuleViolation) -> RefundTransition {
        var refund = refund
        var intent = intent
        if let providerReference, refund.providerReference == nil { refund.providerReference = providerReference }
        if refund.status == outcome.status {
            return RefundTransition(intent: intent, refund: refund, events: [])
        }
        guard refund.status == .pending else { throw .refundNotPending(refund.status) }
        refund.status = outcome.status
        refund.updatedAt = now
        intent.updatedAt = now
        intent.amountRefundPending -= refund.amount.minorUnits
        switch outcome {
        case .pending:
            preconditionFailure("handled above: a pending refund reported pending is a no-op")
        case .succeeded:
            intent.amountRefunded += refund.amount.minorUnits
            return RefundTransition(intent: intent, refund: refund, events: [.refundSucceeded])
        case .failed(let reason):
            refund.failureReason = reason
            return RefundTransition(intent: intent, refund: refund, events: [.refundFailed])
        case .canceled:
            return RefundTransition(intent: intent, refund: refund, events: [.refundFailed])
        }
    }
}
