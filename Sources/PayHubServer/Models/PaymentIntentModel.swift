import Fluent
import Foundation
import PayHubCore

final class PaymentIntentModel: Model, @unchecked Sendable {
    static let schema = "payment_intents"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "merchant_id") var merchantID: String
    @Field(key: "livemode") var livemode: Bool
    @Field(key: "status") var status: String
    @Field(key: "amount") var amount: Int64
    @Field(key: "currency") var currency: String
    @Field(key: "capture_method") var captureMethod: String
    @Field(key: "amount_capturable") var amountCapturable: Int64
    @Field(key: "amount_received") var amountReceived: Int64
    @Field(key: "amount_refunded") var amountRefunded: Int64
    @Field(key: "amount_refund_pending") var amountRefundPending: Int64
    @OptionalField(key: "active_attempt_id") var activeAttemptID: String?
    @OptionalField(key: "last_payment_error") var lastPaymentError: String?
    @OptionalField(key: "cancellation_reason") var cancellationReason: String?
    @OptionalField(key: "customer_reference") var customerReference: String?
    @OptionalField(key: "purchase_reference") var purchaseReference: String?
    @OptionalField(key: "description") var paymentDescription: String?
    @Field(key: "metadata") var metadata: String
    @OptionalField(key: "customer") var customer: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    /// The `Idempotency-Key` of the request that created it, if any.
    @OptionalField(key: "idempotency_key") var idempotencyKey: String?

    init() {}

    /// The domain view of this row.
    func domain() throws -> PaymentIntent {
        var intent = PaymentIntent(
            id: PaymentIntentID(rawValue: id ?? ""),
            amount: Money(minorUnits: amount, currency: try Currency(code: currency)),
            captureMethod: try StoredValueInvalid.parse(captureMethod, as: CaptureMethod.self, table: Self.schema, column: "capture_method", id: id),
            createdAt: createdAt
        )
        intent.status = try StoredValueInvalid.parse(status, as: PaymentIntentStatus.self, table: Self.schema, column: "status", id: id)
        intent.amountCapturable = amountCapturable
        intent.amountReceived = amountReceived
        intent.amountRefunded = amountRefunded
        intent.amountRefundPending = amountRefundPending
        intent.activeAttemptID = activeAttemptID.map(PaymentAttemptID.init(rawValue:))
        intent.lastPaymentError = lastPaymentError.flatMap { JSONText.decode(PaymentFailure.self, from: $0) }
        intent.cancellationReason = cancellationReason.flatMap(CancellationReason.init(rawValue:))
        intent.updatedAt = updatedAt
        return intent
    }

    /// Copies the domain state into this row.
    func update(from intent: PaymentIntent) {
        status = intent.status.rawValue
        amountCapturable = intent.amountCapturable
        amountReceived = intent.amountReceived
        amountRefunded = intent.amountRefunded
        amountRefundPending = intent.amountRefundPending
        activeAttemptID = intent.activeAttemptID?.rawValue
        lastPaymentError = intent.lastPaymentError.map(JSONText.encode)
        cancellationReason = intent.cancellationReason?.rawValue
        updatedAt = intent.updatedAt
    }
}
