import Foundation
import PayHubCore
import SQLKit

/// Writes events into the outbox, with one pending delivery per subscribed endpoint, inside the caller's
/// transaction: the change, its event and its webhooks commit together or not at all.
struct EventRecorder: Sendable {
    let context: PayHubContext

    func record<Object: Encodable>(
        _ types: [EventType], object: Object, objectID: String, merchantID: String, livemode: Bool, on tx: any SQLDatabase
    ) async throws {
        guard !types.isEmpty else { return }
        try await record(types, data: JSONText.encode(object), objectID: objectID, merchantID: merchantID, livemode: livemode, on: tx)
    }

    /// The same, with the object already encoded (outside the transaction, so the writer waits less).
    func record(
        _ types: [EventType], data: String, objectID: String, merchantID: String, livemode: Bool, on tx: any SQLDatabase
    ) async throws {
        guard !types.isEmpty else { return }
        let now = context.clock.now()
        let scope = TenantScope(merchantID: merchantID, livemode: livemode)
        let endpoints = try await WebhookEndpointRepository().subscriptions(in: scope, on: tx)
        let events = EventRepository()
        var owed: [WebhookEndpointID] = []
        for type in types {
            let event = EventRecord(
                id: context.ids.make(), scope: scope, type: type, objectID: objectID, data: data, createdAt: now)
            try await events.insert(event, on: tx)
            for endpoint in endpoints where endpoint.receives(type) {
                try await events.insertDelivery(context.ids.make(), eventID: event.id, endpointID: endpoint.endpointID, in: scope, at: now, on: tx)
                if !owed.contains(endpoint.endpointID) { owed.append(endpoint.endpointID) }
            }
        }
        for endpointID in owed {
            try await WebhookDeliveryJob.ensure(endpoint: endpointID, context: context, on: tx)
        }
        try await InvoiceIssuance.eventsRecorded(types, objectID: objectID, in: scope, context: context, on: tx)
    }
}

enum WebhookDeliveryScheduler {
    /// A new delivery of an event to an endpoint, due at once, and the endpoint's job.
    static func schedule(
        event eventID: EventID, endpoint endpointID: WebhookEndpointID, in scope: TenantScope, context: PayHubContext,
        on tx: any SQLDatabase
    ) async throws {
        let id: WebhookDeliveryID = context.ids.make()
        try await EventRepository().insertDelivery(id, eventID: eventID, endpointID: endpointID, in: scope, at: context.clock.now(), on: tx)
        try await WebhookDeliveryJob.ensure(endpoint: endpointID, context: context, on: tx)
    }
}
