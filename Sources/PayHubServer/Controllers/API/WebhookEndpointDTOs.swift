import Foundation

struct CreateWebhookEndpointRequest: StrictRequest {
    var url: String
    var enabledEvents: [String]?
    var description: String?

    enum CodingKeys: String, CodingKey {
        case url, description
        case enabledEvents = "enabled_events"
    }

    static let shape: [String: FieldShape] = ["url": .value, "enabled_events": .value, "description": .value]
}

extension WebhookEndpointObject {
    /// The endpoint as the API shows it; `secret` only when it was just created or rotated.
    init(_ endpoint: WebhookEndpointRecord, secret: String? = nil) {
        self.init(
            id: endpoint.id.rawValue, livemode: endpoint.scope.livemode, url: endpoint.url, description: endpoint.description,
            enabledEvents: endpoint.enabledEvents, status: endpoint.status.rawValue, disabledReason: endpoint.disabledReason,
            secret: secret, created: Presenter.unix(endpoint.createdAt))
    }

    init(_ created: WebhookEndpointService.WithSecret) {
        self.init(created.endpoint, secret: created.secret)
    }
}
