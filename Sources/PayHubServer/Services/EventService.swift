import Fluent
import Foundation
import PayHubCore
import SQLKit

/// The outbox as merchants see it: events, their deliveries, and redelivery by hand.
struct EventService: Sendable {
    let context: PayHubContext
    let db: any Database

    private let events = EventRepository()
    private var reader: any SQLDatabase { context.transactor.reader(db) }

    func list(principal: Principal, page: PageRequest) async throws -> (events: [EventRecord], hasMore: Bool) {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        var types: [EventType]?
        if let filter = page.filters["type"] {
            guard EventType.isValidFilter(filter) else {
                throw ServiceError.invalid("parameter_invalid", "Unknown event type '\(filter)'.", param: "type")
            }
            types = EventType.allCases.filter { $0.matches(filter: filter) }
        }
        return try await events.events(in: principal.scope, types: types, objectID: page.filters["object_id"], page: page, on: reader)
    }

    func retrieve(_ id: String, principal: Principal) async throws -> EventRecord {
        try await load(id, principal: principal)
    }

    func deliveries(_ id: String, principal: Principal) async throws -> [WebhookDeliveryRecord] {
        let event = try await load(id, principal: principal)
        return try await events.deliveries(of: event.id, in: principal.scope, on: reader)
    }

    /// Sends an event again to every enabled endpoint that subscribes to it (or to one endpoint).
    func redeliver(_ id: String, endpointID: String?, principal: Principal) async throws -> [WebhookDeliveryRecord] {
        let event = try await load(id, principal: principal)
        let scope = principal.scope
        let only = try endpointID.map { id in
            guard let parsed = WebhookEndpointID(validating: id) else {
                throw ServiceError.notFound("webhook_endpoint", id: id, param: "webhook_endpoint")
            }
            return parsed
        }
        let endpoints = try await WebhookEndpointRepository().subscribed(
            to: event.type, in: scope, only: only, on: reader)
        if let endpointID, endpoints.isEmpty {
            throw ServiceError.notFound("webhook_endpoint", id: endpointID, param: "webhook_endpoint")
        }
        let now = context.clock.now()
        let context = self.context
        try await context.transactor.writeSQL(on: db) { tx in
            for endpoint in endpoints {
                if let deliveryID = try await events.deliveryID(event: event.id, endpoint: endpoint.endpointID, in: scope, on: tx) {
                    // Due again for the endpoint's job; a try in flight records over it: that try is the redelivery.
                    try await events.markPending(deliveryID, in: scope, at: now, on: tx)
                    try await WebhookDeliveryJob.ensure(endpoint: endpoint.endpointID, context: context, on: tx)
                } else {
                    try await WebhookDeliveryScheduler.schedule(
                        event: event.id, endpoint: endpoint.endpointID, in: scope, context: context, on: tx)
                }
            }
        }
        return try await events.deliveries(of: event.id, in: scope, on: reader)
    }

    private func load(_ id: String, principal: Principal) async throws -> EventRecord {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        guard let eventID = EventID(validating: id), let event = try await events.event(eventID, in: principal.scope, on: reader) else {
            throw ServiceError.notFound("event", id: id)
        }
        return event
    }
}

struct RedeliverRequest: StrictRequest {
    var webhookEndpoint: String?
    enum CodingKeys: String, CodingKey { case webhookEndpoint = "webhook_endpoint" }
    static let shape: [String: FieldShape] = ["webhook_endpoint": .value]
}
