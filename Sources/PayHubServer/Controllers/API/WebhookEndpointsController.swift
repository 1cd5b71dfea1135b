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
            return try WebhookEndpointObject(try await service(request).create(input, principal: try request.principal)).response(.created)
        }
    }

    @Sendable func list(_ request: Request) async throws -> Response {
        let page = try await service(request).list(principal: try request.principal, page: try PageRequest(request))
        return try ListObject(data: page.endpoints.map { WebhookEndpointObject($0) }, hasMore: page.hasMore, url: "/v1/webhook_endpoints")
            .response()
    }

    @Sendable func retrieve(_ request: Request) async throws -> Response {
        try WebhookEndpointObject(try await service(request).retrieve(try request.parameters.require("id"), principal: try request.principal))
            .response()
    }

    @Sendable func delete(_ request: Request) async throws -> Response {
        let id = try await service(request).delete(try request.parameters.require("id"), principal: try request.principal)
        return try DeletedObject(id: id.rawValue, object: "webhook_endpoint").response()
    }

    @Sendable func rotate(_ request: Request) async throws -> Response {
        try await request.idempotent {
            _ = try request.decodeStrict(EmptyRequest.self)
            let rotated = try await service(request).rotateSecret(try request.parameters.require("id"), principal: try request.principal)
            return try WebhookEndpointObject(rotated).response()
        }
    }
}
