import Fluent
import Foundation
import PayHubCore

/// Writes events into the outbox, with one pending delivery per subscribed endpoint, inside the caller's
/// transaction: the change, its event and its webhooks commit together or not at all.
struct EventRecorder: Sendable {
    let context: PayHubContext

    func record<Object: Encodable>(
        _ types: [EventType], object: Object, objectID: String, merchantID: String, livemode: Bool, on tx: any Database
    ) async throws {
        guard !types.isEmpty else { return }
        let now = context.clock.now()
        let data = JSONText.encode(object)
        let endpoints = try await WebhookEndpointModel.query(on: tx)
            .filter(\.$merchantID == merchantID).filter(\.$livemode == livemode)
            .filter(\.$status == "enabled").filter(\.$deletedAt == nil)
            .all()
        for type in types {
            let eventID = (context.ids.make() as EventID).rawValue
            try await EventModel(
                id: eventID, merchantID: merchantID, livemode: livemode, type: type.rawValue, objectID: objectID,
                data: data, createdAt: now
            ).create(on: tx)
            for endpoint in endpoints where endpoint.filters.contains(where: { type.matches(filter: $0) }) {
                try await WebhookDeliveryScheduler.schedule(
                    eventID: eventID, endpoint: endpoint, at: now, context: context, on: tx)
            }
        }
    }
}

enum WebhookDeliveryScheduler {
    static func schedule(eventID: String, endpoint: WebhookEndpointModel, at now: Date, context: PayHubContext, on tx: any Database) async throws {
        let delivery = WebhookDeliveryModel()
        delivery.id = (context.ids.make() as WebhookDeliveryID).rawValue
        delivery.eventID = eventID
        delivery.endpointID = endpoint.id ?? ""
        delivery.merchantID = endpoint.merchantID
        delivery.livemode = endpoint.livemode
        delivery.status = "pending"
        delivery.attemptCount = 0
        delivery.nextAttemptAt = now
        delivery.createdAt = now
        delivery.updatedAt = now
        try await delivery.create(on: tx)
        context.deliveryWakeUp.signal()
    }
}
