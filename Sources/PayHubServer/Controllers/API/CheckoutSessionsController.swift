import Vapor

/// `/v1/checkout_sessions`: handlers decode, call `CheckoutSessionService`, present its records.
struct CheckoutSessionsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let sessions = routes.grouped("checkout_sessions")
        sessions.post(use: create)
        sessions.get(use: list)
        sessions.group(":id") { session in
            session.get(use: retrieve)
            session.post("expire", use: expire)
        }
    }

    private func service(_ request: Request) -> CheckoutSessionService {
        CheckoutSessionService(context: request.payhub, db: request.db, logger: request.logger)
    }

    private func present(_ record: CheckoutSessionRecord, _ request: Request) -> CheckoutSessionObject {
        Presenter.checkoutSession(record, publicBaseURL: request.payhub.config.publicBaseURL)
    }

    @Sendable func create(_ request: Request) async throws -> Response {
        try await request.idempotent {
            let input = try request.decodeStrict(CreateCheckoutSessionRequest.self)
            let created = try await service(request).create(input, principal: try request.principal)
            return try present(created, request).response(.created)
        }
    }

    @Sendable func list(_ request: Request) async throws -> Response {
        let page = try await service(request).list(
            principal: try request.principal, page: try PageRequest(request, filters: ["status", "payment_intent"]))
        return try ListObject(data: page.items.map { present($0, request) }, hasMore: page.hasMore, url: "/v1/checkout_sessions").response()
    }

    @Sendable func retrieve(_ request: Request) async throws -> Response {
        let record = try await service(request).retrieve(try request.parameters.require("id"), principal: try request.principal)
        return try present(record, request).response()
    }

    @Sendable func expire(_ request: Request) async throws -> Response {
        try await request.idempotent {
            _ = try request.decodeStrict(EmptyRequest.self)
            let record = try await service(request).expire(try request.parameters.require("id"), principal: try request.principal)
            return try present(record, request).response()
        }
    }
}
