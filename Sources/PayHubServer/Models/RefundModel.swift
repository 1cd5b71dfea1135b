import Fluent
import Foundation
import PayHubCore

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

    func domain() throws -> Refund {
        var refund = Refund(
            id: RefundID(rawValue: id ?? ""), paymentIntentID: PaymentIntentID(rawValue: paymentIntentID),
            amount: Money(minorUnits: amount, currency: try Currency(code: currency)),
            reason: reason.flatMap(RefundReason.init(rawValue:)), createdAt: createdAt)
        refund.status = try StoredValueInvalid.parse(status, as: RefundStatus.self, table: Self.schema, column: "status", id: id)
        refund.failureReason = failureReason
        refund.providerReference = providerReference
        refund.updatedAt = updatedAt
        return refund
    }

    func update(from refund: Refund) {
        status = refund.status.rawValue
        failureReason = refund.failureReason
        providerReference = refund.providerReference
        updatedAt = refund.updatedAt
    }
}
