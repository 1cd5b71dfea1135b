import Fluent
import Foundation

final class WebhookEndpointModel: Model, @unchecked Sendable {
    static let schema = "webhook_endpoints"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "merchant_id") var merchantID: String
    @Field(key: "livemode") var livemode: Bool
    @Field(key: "url") var url: String
    @OptionalField(key: "description") var endpointDescription: String?
    /// JSON array of event filters (`*`, `refund.*`, `payment_intent.succeeded`).
    @Field(key: "enabled_events") var enabledEvents: String
    @Field(key: "secret_sealed") var secretSealed: String
    @OptionalField(key: "previous_secret_sealed") var previousSecretSealed: String?
    @OptionalField(key: "previous_secret_expires_at") var previousSecretExpiresAt: Date?
    /// `enabled` or `disabled`.
    @Field(key: "status") var status: String
    @OptionalField(key: "disabled_reason") var disabledReason: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "deleted_at") var deletedAt: Date?

    init() {}

    var filters: [String] { JSONText.decode([String].self, from: enabledEvents) ?? [] }
}
