import Vapor

struct WebhookEndpointsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let endpoints = routes.grouped("webhook_endpoints")
        endpoints.post(use: create)
        endpoints.get(use: list)
        endpoints.get(":id", use: retrieve)
        endpoints.delete(":id", use: delete)
        endpoints.post(":id", "rotate_secret", use: rotate)
    }

    private func service(_ request: Request) -> WebhookEndpointService {
        WebhookEndpointService(context: request.payhub, db: request.db)
    }

    @Sendable func create(_ request: Request) async throws -> Response {
        try await request.idempotent {
            let input = try request.decodeStrict(CreateWebhookEndpointRequest.self)
            return try await service(request).create(input, principal: try request.principal).response(.created)
        }
    }

    @Sendable func list(_ request: Request) async throws -> Response {
        try await service(request).list(principal: try request.principal, page: try PageRequest(request)).response()
    }

    @Sendable func retrieve(_ request: Request) async throws -> Response {
        try await service(request).retrieve(try request.parameters.require("id"), principal: try request.principal).response()
    }

    @Sendable func delete(_ request: Request) async throws -> Response {
        try await service(request).delete(try request.parameters.require("id"), principal: try request.principal).response()
    }

    @Sendable func rotate(_ request: Request) async throws -> Response {
        try await request.idempotent {
            _ = try request.decodeStrict(EmptyRequest.self)
            return try await service(request).rotateSecret(try request.parameters.require("id"), principal: try request.principal).response()
        }
    }
}
