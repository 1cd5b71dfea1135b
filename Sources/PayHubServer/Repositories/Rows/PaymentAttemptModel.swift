import Fluent
import Foundation
import PayHubConnectors
import PayHubCore

/// A row of `payment_attempts`; only `PaymentRepository` reads and writes it (tests may look).
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

    convenience init(_ record: PaymentAttemptRecord) {
        self.init()
        let attempt = record.attempt
        id = attempt.id.rawValue
        paymentIntentID = attempt.paymentIntentID.rawValue
        merchantID = record.scope.merchantID
        livemode = record.scope.livemode
        provider = attempt.provider
        providerAccountID = record.providerAccountID.rawValue
        methodType = attempt.methodType
        let method = record.paymentMethod
        paymentMethod = JSONText.encode(PaymentMethodObject(
            type: method.type, token: method.token, msisdn: method.msisdn, country: method.country, network: method.network))
        returnURL = record.returnURL
        createdAt = attempt.createdAt
        idempotencyKey = record.idempotencyKey
        lateSuccessReversalReference = record.lateSuccessReversalReference
        update(from: record)
    }

    /// The record of this row; a status PayHub does not know is an error.
    func record() throws -> PaymentAttemptRecord {
        let row = try StoredRow(table: Self.schema, id: id)
        var attempt = PaymentAttempt(
            id: try row.id(row.id, column: "id"), paymentIntentID: try row.id(paymentIntentID, column: "payment_intent_id"),
            provider: provider, methodType: methodType, createdAt: createdAt)
        attempt.status = try row.parse(status, column: "status")
        attempt.providerReference = providerReference
        attempt.nextAction = try nextAction.map { stored in
            guard let action = try row.json(StoredNextAction.self, stored, column: "next_action").action else { throw row.invalid("next_action") }
            return action
        }
        attempt.failure = try failure.map { try row.json(PaymentFailure.self, $0, column: "failure") }
        attempt.amountReceived = amountReceived
        attempt.lateSuccessReversal = try lateSuccessReversal.map { stored in
            switch stored {
            case "pending": .pending
            case "voided": .voided
            case "refunded": .refunded
            case "failed": .failed(reason: lateSuccessReversalReason ?? "unknown")
            default: throw row.invalid("late_success_reversal")
            }
        }
        attempt.updatedAt = updatedAt
        let method = try row.json(PaymentMethodObject.self, paymentMethod, column: "payment_method")
        return PaymentAttemptRecord(
            attempt: attempt, scope: TenantScope(merchantID: merchantID, livemode: livemode),
            providerAccountID: try row.id(providerAccountID, column: "provider_account_id"),
            paymentMethod: PaymentMethodData(
                type: method.type, token: method.token, msisdn: method.msisdn, country: method.country, network: method.network),
            returnURL: returnURL, idempotencyKey: idempotencyKey,
            statusCheck: StatusCheckState(nextAt: nextCheckAt, count: checkCount),
            lateSuccessReversalReference: lateSuccessReversalReference)
    }

    /// Copies what `PaymentMachine` and the status check change into this row.
    func update(from record: PaymentAttemptRecord) {
        let attempt = record.attempt
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
        nextCheckAt = record.statusCheck.nextAt
        checkCount = record.statusCheck.count
    }
}
