import Fluent
import Foundation
import PayHubCore

final class PaymentAttemptModel: Model, @unchecked Sendable {
    static let schema = "payment_attempts"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "payment_intent_id") var paymentIntentID: String
    @Field(key: "merchant_id") var merchantID: String
    @Field(key: "livemode") var livemode: Bool
    @Field(key: "provider") var provider: String
    @Field(key: "provider_account_id") var providerAccountID: String
    @Field(key: "method_type") var methodType: String
    /// The payment method as sent (tokens and phone numbers, never card numbers or OTPs), JSON.
    @Field(key: "payment_method") var paymentMethod: String
    @Field(key: "status") var status: String
    @OptionalField(key: "provider_reference") var providerReference: String?
    @OptionalField(key: "next_action") var nextAction: String?
    @OptionalField(key: "failure") var failure: String?
    @OptionalField(key: "return_url") var returnURL: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    /// The `Idempotency-Key` of the request that started it, if any.
    @OptionalField(key: "idempotency_key") var idempotencyKey: String?
    /// When the status check asks the provider next; nil once the attempt is final.
    @OptionalField(key: "next_check_at") var nextCheckAt: Date?
    @Field(key: "check_count") var checkCount: Int
    @OptionalField(key: "amount_received") var amountReceived: Int64?
    /// `pending`, `voided`, `refunded` or `failed` (with its reason) for a late success; nil otherwise.
    @OptionalField(key: "late_success_reversal") var lateSuccessReversal: String?
    @OptionalField(key: "late_success_reversal_reason") var lateSuccessReversalReason: String?
    /// The provider's reference of the refund that gives a late success back.
    @OptionalField(key: "late_success_reversal_reference") var lateSuccessReversalReference: String?

    init() {}

    /// The domain view of this row; a status PayHub does not know is an error.
    func domain() throws -> PaymentAttempt {
        var attempt = PaymentAttempt(
            id: PaymentAttemptID(rawValue: id ?? ""), paymentIntentID: PaymentIntentID(rawValue: paymentIntentID),
            provider: provider, methodType: methodType, createdAt: createdAt)
        attempt.status = try StoredValueInvalid.parse(status, as: PaymentAttemptStatus.self, table: Self.schema, column: "status", id: id)
        attempt.providerReference = providerReference
        attempt.nextAction = nextAction.flatMap { JSONText.decode(StoredNextAction.self, from: $0)?.action }
        attempt.failure = failure.flatMap { JSONText.decode(PaymentFailure.self, from: $0) }
        attempt.amountReceived = amountReceived
        attempt.lateSuccessReversal = try lateSuccessReversal.map { stored in
            switch stored {
            case "pending": .pending
            case "voided": .voided
            case "refunded": .refunded
            case "failed": .failed(reason: lateSuccessReversalReason ?? "unknown")
            default: throw StoredValueInvalid(table: Self.schema, column: "late_success_reversal", id: id ?? "")
            }
        }
        attempt.updatedAt = updatedAt
        return attempt
    }

    func update(from attempt: PaymentAttempt) {
        status = attempt.status.rawValue
        providerReference = attempt.providerReference
        nextAction = attempt.nextAction.map { JSONText.encode(StoredNextAction($0)) }
        failure = attempt.failure.map(JSONText.encode)
        amountReceived = attempt.amountReceived
        switch attempt.lateSuccessReversal {
        case nil: lateSuccessReversal = nil
        case .pending: lateSuccessReversal = "pending"
        case .voided: lateSuccessReversal = "voided"
        case .refunded: lateSuccessReversal = "refunded"
        case .failed(let reason):
            lateSuccessReversal = "failed"
            lateSuccessReversalReason = reason
        }
        updatedAt = attempt.updatedAt
    }
}
