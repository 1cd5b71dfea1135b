import Foundation
import PayHubCore

/// One event of the outbox: the state change, and the API object right after it (JSON).
struct EventRecord: Sendable {
    var id: EventID
    var scope: TenantScope
    var type: EventType
    var objectID: String
    var data: String
    var createdAt: Date
}

/// One event owed to one endpoint.
struct WebhookDeliveryRecord: Sendable {
    var id: WebhookDeliveryID
    var eventID: EventID
    var endpointID: WebhookEndpointID
    var scope: TenantScope
    var status: WebhookDeliveryStatus
    var attemptCount: Int
    var nextAttemptAt: Date
    /// Every try, oldest first.
    var attempts: [WebhookDeliveryAttempt]
}

/// One try at delivering: what the receiver answered, or why nothing was.
struct WebhookDeliveryAttempt: Sendable, Equatable {
    var id: String
    var attemptedAt: Date
    var statusCode: Int?
    var latencyMilliseconds = 0
    var responseExcerpt: String?
    var error: String?
    var succeeded = false
}

/// A pending delivery with its event, as the delivery worker needs it.
struct PendingDelivery: Sendable {
    var id: WebhookDeliveryID
    var endpointID: WebhookEndpointID
    var scope: TenantScope
    var status: WebhookDeliveryStatus
    var attemptCount: Int
    var event: EventRecord
}
