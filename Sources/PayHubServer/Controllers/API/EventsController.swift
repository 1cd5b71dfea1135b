import Vapor

struct EventsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let events = routes.grouped("events")
        events.get(use: list)
        events.get(":id", use: retrieve)
        events.get(":id", "deliveries", use: deliveries)
        events.post(":id", "redeliver", use: redeliver)
    }

    private func service(_ request: Request) -> EventService {
        EventService(context: request.payhub, db: request.db)
    }

    @Sendable func list(_ request: Request) async throws -> Response {
        let page = try await service(request).list(principal: try request.principal, page: try PageRequest(request, filters: ["type", "object_id"]))
        return try ListObject(data: page.events.map(EventObject.init), hasMore: page.hasMore, url: "/v1/events").response()
    }

    @Sendable func retrieve(_ request: Request) async throws -> Response {
        let event = try await service(request).retrieve(try request.parameters.require("id"), principal: try request.principal)
        return try EventObject(event).response()
    }

    @Sendable func deliveries(_ request: Request) async throws -> Response {
        let id: String = try request.parameters.require("id")
        let deliveries = try await service(request).deliveries(id, principal: try request.principal)
        return try Self.deliveryList(deliveries, event: id).response()
    }

    @Sendable func redeliver(_ request: Request) async throws -> Response {
        try await request.idempotent {
            let input = try request.decodeStrict(RedeliverRequest.self)
            let id: String = try request.parameters.require("id")
            let deliveries = try await service(request).redeliver(id, endpointID: input.webhookEndpoint, principal: try request.principal)
            return try Self.deliveryList(deliveries, event: id).response()
        }
    }

    private static func deliveryList(_ deliveries: [WebhookDeliveryRecord], event id: String) -> ListObject<WebhookDeliveryObject> {
        ListObject(data: deliveries.map(WebhookDeliveryObject.init), hasMore: false, url: "/v1/events/\(id)/deliveries")
    }
}
