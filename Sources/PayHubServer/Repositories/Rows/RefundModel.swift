import Fluent
import Foundation
import PayHubCore

/// A row of `refunds`; only `PaymentRepository` reads and writes it (tests may look).
final class RefundModel: Model, @unchecked Sendable {
    static let schema = "refunds"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "merchant_id") var merchantID: String
    @Field(key: "livemode") var livemode: Bool
    @Field(key: "payment_intent_id") var paymentIntentID: String
    @Field(key: "attempt_id") var attemptID: String
    @Field(key: "provider") var provider: String
    @Field(key: "provider_account_id") var providerAccountID: String
    @Field(key: "amount") var amount: Int64
    @Field(key: "currency") var currency: String
    @Field(key: "status") var status: String
    @OptionalField(key: "reason") var reason: String?
    @OptionalField(key: "failure_reason") var failureReason: String?
    @OptionalField(key: "provider_reference") var providerReference: String?
    @Field(key: "metadata") var metadata: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    /// The `Idempotency-Key` of the request that created it, if any.
    @OptionalField(key: "idempotency_key") var idempotencyKey: String?
    /// When the status check asks the provider next; nil once the refund is final.
    @OptionalField(key: "next_check_at") var nextCheckAt: Date?
    @Field(key: "check_count") var checkCount: Int

    init() {}

    convenience init(_ record: RefundRecord) {
        self.init()
        let refund = record.refund
        id = refund.id.rawValue
        merchantID = record.scope.merchantID
        livemode = record.scope.livemode
        paymentIntentID = refund.paymentIntentID.rawValue
        attemptID = record.attemptID.rawValue
        provider = record.provider
        providerAccountID = record.providerAccountID.rawValue
        amount = refund.amount.minorUnits
        currency = refund.amount.currency.code
        reason = refund.reason?.rawValue
        metadata = JSONText.encode(record.metadata)
        createdAt = refund.createdAt
        idempotencyKey = record.idempotencyKey
        update(from: record)
    }

    func record() throws -> RefundRecord {
        let row = try StoredRow(table: Self.schema, id: id)
        var refund = Refund(
            id: try row.id(row.id, column: "id"), paymentIntentID: try row.id(paymentIntentID, column: "payment_intent_id"),
            amount: Money(minorUnits: amount, currency: try Currency(code: currency)),
            reason: try reason.map { try row.parse($0, column: "reason") }, createdAt: createdAt)
        refund.status = try row.parse(status, column: "status")
        refund.failureReason = failureReason
        refund.providerReference = providerReference
        refund.updatedAt = updatedAt
        return RefundRecord(
            refund: refund, scope: TenantScope(merchantID: merchantID, livemode: livemode),
            attemptID: try row.id(attemptID, column: "attempt_id"), provider: provider,
            providerAccountID: try row.id(providerAccountID, column: "provider_account_id"),
            metadata: try row.json([String: String].self, metadata, column: "metadata"), idempotencyKey: idempotencyKey,
            statusCheck: StatusCheckState(nextAt: nextCheckAt, count: checkCount))
    }

    /// Copies what `RefundMachine` and the status check change into this row.
    func update(from record: RefundRecord) {
        status = record.refund.status.rawValue
        failureReason = record.refund.failureReason
        providerReference = record.refund.providerReference
        updatedAt = record.refund.updatedAt
        nextCheckAt = record.statusCheck.nextAt
        checkCount = record.statusCheck.count
    }
}
