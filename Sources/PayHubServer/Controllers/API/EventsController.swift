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
        try await service(request).list(principal: try request.principal, page: try PageRequest(request, filters: ["type", "object_id"])).response()
    }

    @Sendable func retrieve(_ request: Request) async throws -> Response {
        try await service(request).retrieve(try request.parameters.require("id"), principal: try request.principal).response()
    }

    @Sendable func deliveries(_ request: Request) async throws -> Response {
        try await service(request).deliveries(try request.parameters.require("id"), principal: try request.principal).response()
    }

    @Sendable func redeliver(_ request: Request) async throws -> Response {
        try await request.idempotent {
            let input = try request.decodeStrict(RedeliverRequest.self)
            return try await service(request).redeliver(
                try request.parameters.require("id"), endpointID: input.webhookEndpoint, principal: try request.principal
            ).response()
        }
    }
}
