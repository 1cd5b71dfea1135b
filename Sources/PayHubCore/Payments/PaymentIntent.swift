import Foundation

/// The intent to collect one amount from one customer, across one or more payment attempts.
public struct PaymentIntent: Equatable, Sendable {
    public var id: PaymentIntentID
    public var amount: Money
    public var captureMethod: CaptureMethod
    public var status: PaymentIntentStatus
    /// What a manual capture may still take; zero otherwise.
    public var amountCapturable: Int64
    /// What was captured; the ceiling for refunds.
    public var amountReceived: Int64
    /// Refunds that succeeded.
    public var amountRefunded: Int64
    /// Refunds asked of the provider whose outcome is not known yet: reserved, so concurrent refunds cannot overshoot.
    public var amountRefundPending: Int64
    public var activeAttemptID: PaymentAttemptID?
    public var lastPaymentError: PaymentFailure?
    public var cancellationReason: CancellationReason?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: PaymentIntentID, amount: Money, captureMethod: CaptureMethod, createdAt: Date
    ) {
        self.id = id
        self.amount = amount
        self.captureMethod = captureMethod
        self.status = .requiresPaymentMethod
        self.amountCapturable = 0
        self.amountReceived = 0
        self.amountRefunded = 0
        self.amountRefundPending = 0
        self.createdAt = createdAt
        self.updatedAt = createdAt
    }

    /// What a new refund may still take.
    public var amountRefundable: Int64 { amountReceived - amountRefunded - amountRefundPending }
}

/// One try at paying an intent, with one provider and one payment method.
public struct PaymentAttempt: Equatable, Sendable {
    public var id: PaymentAttemptID
    public var paymentIntentID: PaymentIntentID
    public var provider: String
    public var methodType: String
    public var status: PaymentAttemptStatus
    public var providerReference: String?
    public var nextAction: NextAction?
    public var failure: PaymentFailure?
    /// Set when a success arrived after the attempt stopped counting, until it has been given back.
    public var lateSuccessReversal: LateSuccessReversal?
    /// What the provider captured on this attempt, when it said.
    public var amountReceived: Int64?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: PaymentAttemptID, paymentIntentID: PaymentIntentID, provider: String, methodType: String, createdAt: Date
    ) {
        self.id = id
        self.paymentIntentID = paymentIntentID
        self.provider = provider
        self.methodType = methodType
        self.status = .pending
        self.createdAt = createdAt
        self.updatedAt = createdAt
    }
}
