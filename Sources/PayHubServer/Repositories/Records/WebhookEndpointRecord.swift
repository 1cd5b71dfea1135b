import Foundation
import PayHubCore

enum WebhookEndpointStatus: String, Sendable {
    case enabled
    case disabled
}

/// A merchant's webhook endpoint: where events go, which ones, and the secrets that sign them.
struct WebhookEndpointRecord: Sendable, Equatable {
    var id: WebhookEndpointID
    var scope: TenantScope
    var url: String
    var description: String?
    /// Event filters (`*`, `refund.*`, `payment_intent.succeeded`).
    var enabledEvents: [String]
    var status: WebhookEndpointStatus
    var disabledReason: String?
    var secrets: SealedSigningSecrets
    var createdAt: Date
    var updatedAt: Date
    var deletedAt: Date?

    /// Whether deliveries are still made to it.
    var isReceiving: Bool { status == .enabled && deletedAt == nil }
}

/// An endpoint's signing secrets as stored, sealed with the master key (`SecretBox`). After a rotation the
/// previous secret signs too, until it expires.
struct SealedSigningSecrets: Sendable, Equatable {
    var current: String
    var previous: String?
    var previousExpiresAt: Date?

    /// The secrets that sign a delivery made at `now`, opened.
    func opened(with box: SecretBox, at now: Date) throws -> [String] {
        var secrets = [try box.open(current)]
        if let previous, let expires = previousExpiresAt, expires > now { secrets.append(try box.open(previous)) }
        return secrets
    }
}

/// An endpoint that receives events, as event recording and redelivery fan out to it.
struct WebhookSubscription: Sendable, Equatable {
    var endpointID: WebhookEndpointID
    var scope: TenantScope
    var enabledEvents: [String]

    func receives(_ type: EventType) -> Bool {
        enabledEvents.contains { type.matches(filter: $0) }
    }
}

/// Where the delivery worker sends one endpoint's deliveries, with the secrets that sign them now.
struct WebhookDeliveryTarget: Sendable {
    var endpointID: WebhookEndpointID
    var scope: TenantScope
    var url: String
    var isReceiving: Bool
    var signingSecrets: [String]
}
