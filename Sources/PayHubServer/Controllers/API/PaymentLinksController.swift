import Vapor

/// `/v1/payment_links`: handlers decode, call `PaymentLinkService`, present its records.
struct PaymentLinksController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let links = routes.grouped("payment_links")
        links.post(use: create)
        links.get(use: list)
        links.group(":id") { link in
            link.get(use: retrieve)
            link.post("deactivate", use: deactivate)
            link.post("send", use: send)
        }
    }

    private func service(_ request: Request) -> PaymentLinkService {
        PaymentLinkService(context: request.payhub, db: request.db, logger: request.logger)
    }

    private func present(_ record: PaymentLinkRecord, _ request: Request) -> PaymentLinkObject {
        Presenter.paymentLink(record, publicBaseURL: request.payhub.config.publicBaseURL)
    }

    @Sendable func create(_ request: Request) async throws -> Response {
        try await request.idempotent {
            let input = try request.decodeStrict(CreatePaymentLinkRequest.self)
            let created = try await service(request).create(input, principal: try request.principal)
            return try present(created, request).response(.created)
        }
    }

    @Sendable func list(_ request: Request) async throws -> Response {
        let page = try await service(request).list(principal: try request.principal, page: try PageRequest(request, filters: ["status"]))
        return try ListObject(data: page.items.map { present($0, request) }, hasMore: page.hasMore, url: "/v1/payment_links").response()
    }

    @Sendable func retrieve(_ request: Request) async throws -> Response {
        let record = try await service(request).retrieve(try request.parameters.require("id"), principal: try request.principal)
        return try present(record, request).response()
    }

    @Sendable func deactivate(_ request: Request) async throws -> Response {
        try await request.idempotent {
            _ = try request.decodeStrict(EmptyRequest.self)
            let record = try await service(request).deactivate(try request.parameters.require("id"), principal: try request.principal)
            return try present(record, request).response()
        }
    }

    @Sendable func send(_ request: Request) async throws -> Response {
        try await request.idempotent {
            let input = try request.decodeStrict(SendPaymentLinkRequest.self)
            let record = try await service(request).send(
                try request.parameters.require("id"), channel: input.channel, principal: try request.principal)
            return try present(record, request).response()
        }
    }
}
