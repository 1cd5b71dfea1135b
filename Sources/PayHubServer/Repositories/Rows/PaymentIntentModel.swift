import Fluent
import Foundation
import PayHubConnectors
import PayHubCore

/// A row of `payment_intents`; only `PaymentRepository` reads and writes it (tests may look).
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

    convenience init(_ record: PaymentIntentRecord) {
        self.init()
        let intent = record.intent
        id = intent.id.rawValue
        merchantID = record.scope.merchantID
        livemode = record.scope.livemode
        amount = intent.amount.minorUnits
        currency = intent.amount.currency.code
        captureMethod = intent.captureMethod.rawValue
        customerReference = record.customerReference
        purchaseReference = record.purchaseReference
        paymentDescription = record.description
        metadata = JSONText.encode(record.metadata)
        customer = record.customer.map { JSONText.encode(CustomerObject($0)) }
        createdAt = intent.createdAt
        idempotencyKey = record.idempotencyKey
        update(from: intent)
    }

    /// The record of this row.
    func record() throws -> PaymentIntentRecord {
        let row = try StoredRow(table: Self.schema, id: id)
        var intent = PaymentIntent(
            id: try row.id(row.id, column: "id"),
            amount: Money(minorUnits: amount, currency: try Currency(code: currency)),
            captureMethod: try row.parse(captureMethod, column: "capture_method"),
            createdAt: createdAt
        )
        intent.status = try row.parse(status, column: "status")
        intent.amountCapturable = amountCapturable
        intent.amountReceived = amountReceived
        intent.amountRefunded = amountRefunded
        intent.amountRefundPending = amountRefundPending
        intent.activeAttemptID = try activeAttemptID.map { try row.id($0, column: "active_attempt_id") }
        intent.lastPaymentError = try lastPaymentError.map { try row.json(PaymentFailure.self, $0, column: "last_payment_error") }
        intent.cancellationReason = try cancellationReason.map { try row.parse($0, column: "cancellation_reason") }
        intent.updatedAt = updatedAt
        let customer = try customer.map { try row.json(CustomerObject.self, $0, column: "customer") }
        return PaymentIntentRecord(
            intent: intent, scope: TenantScope(merchantID: merchantID, livemode: livemode),
            customerReference: customerReference, purchaseReference: purchaseReference, description: paymentDescription,
            metadata: try row.json([String: String].self, metadata, column: "metadata"),
            customer: customer.map(\.details),
            idempotencyKey: idempotencyKey)
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
