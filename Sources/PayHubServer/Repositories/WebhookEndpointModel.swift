import Fluent
import Foundation

/// The Fluent row of `webhook_endpoints`, kept only for `EventService.redeliver` until it asks
/// `WebhookEndpointRepository.subscribed(to:in:only:on:)`; then it goes. Nothing else may use it.
final class WebhookEndpointModel: Model, @unchecked Sendable {
    static let schema = "webhook_endpoints"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "merchant_id") var merchantID: String
    @Field(key: "livemode") var livemode: Bool
    @Field(key: "url") var url: String
    @OptionalField(key: "description") var endpointDescription: String?
    @Field(key: "enabled_events") var enabledEvents: String
    @Field(key: "secret_sealed") var secretSealed: String
    @OptionalField(key: "previous_secret_sealed") var previousSecretSealed: String?
    @OptionalField(key: "previous_secret_expires_at") var previousSecretExpiresAt: Date?
    @Field(key: "status") var status: String
    @OptionalField(key: "disabled_reason") var disabledReason: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "deleted_at") var deletedAt: Date?

    init() {}

    var filters: [String] { JSONText.decode([String].self, from: enabledEvents) ?? [] }
}
