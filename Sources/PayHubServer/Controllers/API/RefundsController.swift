import Vapor

struct RefundsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let refunds = routes.grouped("refunds")
        refunds.post(use: create)
        refunds.get(use: list)
        refunds.get(":id", use: retrieve)
    }

    private func service(_ request: Request) -> RefundService {
        RefundService(context: request.payhub, db: request.db, logger: request.logger)
    }

    @Sendable func create(_ request: Request) async throws -> Response {
        try await request.idempotent {
            let input = try request.decodeStrict(CreateRefundRequest.self)
            return try Presenter.refund(try await service(request).create(input, principal: try request.principal)).response(.created)
        }
    }

    @Sendable func list(_ request: Request) async throws -> Response {
        let page = try await service(request)
            .list(principal: try request.principal, page: try PageRequest(request, filters: ["payment_intent", "status"]))
        return try ListObject(data: page.items.map(Presenter.refund), hasMore: page.hasMore, url: "/v1/refunds").response()
    }

    @Sendable func retrieve(_ request: Request) async throws -> Response {
        try Presenter.refund(try await service(request).retrieve(try request.parameters.require("id"), principal: try request.principal))
            .response()
    }
}
