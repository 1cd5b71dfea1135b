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
    @OptionalField(key: "poll_lease_until") var pollLeaseUntil: Date?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    /// The `Idempotency-Key` of the request that started it, if any.
    @OptionalField(key: "idempotency_key") var idempotencyKey: String?

    init() {}

    func domain() -> PaymentAttempt {
        var attempt = PaymentAttempt(
            id: PaymentAttemptID(rawValue: id ?? ""), paymentIntentID: PaymentIntentID(rawValue: paymentIntentID),
            provider: provider, methodType: methodType, createdAt: createdAt)
        attempt.status = PaymentAttemptStatus(rawValue: status) ?? .pending
        attempt.providerReference = providerReference
        attempt.nextAction = nextAction.flatMap { JSONText.decode(StoredNextAction.self, from: $0)?.action }
        attempt.failure = failure.flatMap { JSONText.decode(PaymentFailure.self, from: $0) }
        attempt.updatedAt = updatedAt
        return attempt
    }

    func update(from attempt: PaymentAttempt) {
        status = attempt.status.rawValue
        providerReference = attempt.providerReference
        nextAction = attempt.nextAction.map { JSONText.encode(StoredNextAction($0)) }
        failure = attempt.failure.map(JSONText.encode)
        updatedAt = attempt.updatedAt
    }
}
