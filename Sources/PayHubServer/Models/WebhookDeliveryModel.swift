import Fluent
import Foundation

/// One event owed to one endpoint: retried on a schedule until delivered or given up.
final class WebhookDeliveryModel: Model, @unchecked Sendable {
    static let schema = "webhook_deliveries"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "event_id") var eventID: String
    @Field(key: "endpoint_id") var endpointID: String
    @Field(key: "merchant_id") var merchantID: String
    @Field(key: "livemode") var livemode: Bool
    /// `pending`, `succeeded`, `failed` (gave up) or `canceled` (endpoint disabled or deleted).
    @Field(key: "status") var status: String
    @Field(key: "attempt_count") var attemptCount: Int
    @Field(key: "next_attempt_at") var nextAttemptAt: Date
    @OptionalField(key: "last_status_code") var lastStatusCode: Int?
    @OptionalField(key: "last_error") var lastError: String?
    @OptionalField(key: "delivered_at") var deliveredAt: Date?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

/// The log of every delivery attempt: status, latency and an excerpt of the response.
final class WebhookDeliveryAttemptModel: Model, @unchecked Sendable {
    static let schema = "webhook_delivery_attempts"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "delivery_id") var deliveryID: String
    @Field(key: "event_id") var eventID: String
    @Field(key: "endpoint_id") var endpointID: String
    @Field(key: "attempted_at") var attemptedAt: Date
    @OptionalField(key: "status_code") var statusCode: Int?
    @Field(key: "latency_ms") var latencyMilliseconds: Int
    @OptionalField(key: "response_excerpt") var responseExcerpt: String?
    @OptionalField(key: "error") var error: String?
    @Field(key: "succeeded") var succeeded: Bool

    init() {}
}
