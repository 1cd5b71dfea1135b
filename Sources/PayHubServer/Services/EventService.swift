import Fluent
import SQLKit
import PayHubCore
import Foundation

/// The outbox as merchants see it: events, their deliveries, and redelivery by hand.
struct EventService: Sendable {
    let context: PayHubContext
    let db: any Database

    func list(principal: Principal, page: PageRequest) async throws -> ListObject<EventObject> {
        guard principal.isSecretKey else { throw APIError.secretKeyRequired }
        if let type = page.filters["type"], !EventType.isValidFilter(type) {
            throw APIError.invalid("parameter_invalid", "Unknown event type '\(type)'.", param: "type")
        }
        let db = self.db
        let result = try await Paginator.page(
            {
                var query = EventModel.query(on: db)
                    .filter(\.$merchantID == principal.merchantID).filter(\.$livemode == principal.livemode)
                if let type = page.filters["type"] {
                    let types = EventType.allCases.filter { $0.matches(filter: type) }.map(\.rawValue)
                    query = query.filter(\.$type ~~ types)
                }
                if let object = page.filters["object_id"] { query = query.filter(\.$objectID == object) }
                return query
            },
            request: page, created: \.$createdAt, id: \.$id,
            cursor: { try await self.find($0, principal: principal) })
        return ListObject(data: result.items.map(EventObject.init), hasMore: result.hasMore, url: "/v1/events")
    }

    func retrieve(_ id: String, principal: Principal) async throws -> EventObject {
        EventObject(try await load(id, principal: principal))
    }

    func deliveries(_ id: String, principal: Principal) async throws -> ListObject<WebhookDeliveryObject> {
        let event = try await load(id, principal: principal)
        let deliveries = try await WebhookDeliveryModel.query(on: db).filter(\.$eventID == event.id ?? "").sort(\.$createdAt).all()
        let ids = deliveries.compactMap(\.id)
        let attempts = ids.isEmpty ? [] : try await WebhookDeliveryAttemptModel.query(on: db)
            .filter(\.$deliveryID ~~ ids).sort(\.$attemptedAt).all()
        let byDelivery = Dictionary(grouping: attempts, by: \.deliveryID)
        return ListObject(
            data: deliveries.map { delivery in
                WebhookDeliveryObject(
                    id: delivery.id ?? "", event: delivery.eventID, webhookEndpoint: delivery.endpointID, status: delivery.status,
                    attemptCount: delivery.attemptCount,
                    nextAttempt: delivery.status == "pending" ? Presenter.unix(delivery.nextAttemptAt) : nil,
                    attempts: (byDelivery[delivery.id ?? ""] ?? []).map {
                        .init(
                            attemptedAt: Presenter.unix($0.attemptedAt), statusCode: $0.statusCode, latencyMS: $0.latencyMilliseconds,
                            responseExcerpt: $0.responseExcerpt, error: $0.error, succeeded: $0.succeeded)
                    })
            },
            hasMore: false, url: "/v1/events/\(id)/deliveries")
    }

    /// Sends an event again to every enabled endpoint that subscribes to it (or to one endpoint).
    func redeliver(_ id: String, endpointID: String?, principal: Principal) async throws -> ListObject<WebhookDeliveryObject> {
        let event = try await load(id, principal: principal)
        var query = WebhookEndpointModel.query(on: db)
            .filter(\.$merchantID == principal.merchantID).filter(\.$livemode == principal.livemode)
            .filter(\.$status == "enabled").filter(\.$deletedAt == nil)
        if let endpointID { query = query.filter(\.$id == endpointID) }
        let endpoints = try await query.all().filter { endpoint in
            endpoint.filters.contains { filter in
                EventType(rawValue: event.type)?.matches(filter: filter) ?? false
            }
        }
        if let endpointID, endpoints.isEmpty {
            throw APIError.notFound("webhook_endpoint", id: endpointID, param: "webhook_endpoint")
        }
        let now = context.clock.now()
        let context = self.context
        try await context.transactor.writeSQL(on: db) { tx in
            for endpoint in endpoints {
                let endpointID = endpoint.id ?? ""
                if let existing = try await tx.raw("""
                    SELECT id FROM webhook_deliveries WHERE event_id = \(bind: id) AND endpoint_id = \(bind: endpointID)
                    """).first() {
                    // The delivery's one job is made due again, unless a try is in flight: that try is the redelivery.
                    let deliveryID = try existing.decode(column: "id", as: String.self)
                    try await tx.raw("""
                        UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = \(bind: now), updated_at = \(bind: now) \
                        WHERE id = \(bind: deliveryID)
                        """).run()
                    try await JobScheduler.enqueue(
                        WebhookDeliveryJob.job(delivery: deliveryID, at: now), ifExists: .rearm, context: context, on: tx)
                } else {
                    try await WebhookDeliveryScheduler.schedule(
                        eventID: id, endpointID: endpointID, merchantID: endpoint.merchantID, livemode: endpoint.livemode,
                        at: now, context: context, on: tx)
                }
            }
        }
        return try await deliveries(id, principal: principal)
    }

    private func load(_ id: String, principal: Principal) async throws -> EventModel {
        guard principal.isSecretKey else { throw APIError.secretKeyRequired }
        guard let event = try await find(id, principal: principal) else { throw APIError.notFound("event", id: id) }
        return event
    }

    private func find(_ id: String, principal: Principal) async throws -> EventModel? {
        try await EventModel.query(on: db)
            .filter(\.$id == id).filter(\.$merchantID == principal.merchantID).filter(\.$livemode == principal.livemode).first()
    }
}

struct RedeliverRequest: StrictRequest {
    var webhookEndpoint: String?
    enum CodingKeys: String, CodingKey { case webhookEndpoint = "webhook_endpoint" }
    static let shape: [String: FieldShape] = ["webhook_endpoint": .value]
}
