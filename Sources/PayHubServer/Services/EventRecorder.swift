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
        let endpoints = try await tx.raw("""
            SELECT id, enabled_events FROM webhook_endpoints \
            WHERE merchant_id = \(bind: merchantID) AND livemode = \(bind: livemode) AND status = 'enabled' AND deleted_at IS NULL
            """).all().map { row in
                (id: try row.decode(column: "id", as: String.self),
                 filters: JSONText.decode([String].self, from: try row.decode(column: "enabled_events", as: String.self)) ?? [])
            }
        for type in types {
            let eventID = (context.ids.make() as EventID).rawValue
            try await tx.raw("""
                INSERT INTO events (id, merchant_id, livemode, type, object_id, data, created_at) VALUES \
                (\(bind: eventID), \(bind: merchantID), \(bind: livemode), \(bind: type.rawValue), \(bind: objectID), \
                \(bind: data), \(bind: now))
                """).run()
            for endpoint in endpoints where endpoint.filters.contains(where: { type.matches(filter: $0) }) {
                try await WebhookDeliveryScheduler.schedule(
                    eventID: eventID, endpointID: endpoint.id, merchantID: merchantID, livemode: livemode, at: now,
                    context: context, on: tx)
            }
        }
    }
}

enum WebhookDeliveryScheduler {
    static func schedule(
        eventID: String, endpointID: String, merchantID: String, livemode: Bool, at now: Date, context: PayHubContext,
        on tx: any SQLDatabase
    ) async throws {
        let id = (context.ids.make() as WebhookDeliveryID).rawValue
        try await tx.raw("""
            INSERT INTO webhook_deliveries \
            (id, event_id, endpoint_id, merchant_id, livemode, status, attempt_count, next_attempt_at, created_at, updated_at) \
            VALUES (\(bind: id), \(bind: eventID), \(bind: endpointID), \(bind: merchantID), \(bind: livemode), 'pending', 0, \
            \(bind: now), \(bind: now), \(bind: now))
            """).run()
        try await JobScheduler.enqueue(WebhookDeliveryJob.job(delivery: id, at: now), context: context, on: tx)
    }
}
