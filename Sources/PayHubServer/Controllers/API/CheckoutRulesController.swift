import Vapor

struct CheckoutRulesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let rules = routes.grouped("checkout_rules")
        rules.post(use: create)
        rules.get(use: list)
        rules.post("evaluate", use: evaluate)
        // `evaluate` is not a rule id: its other methods are 405, not "no such rule".
        for method in [HTTPMethod.GET, .DELETE] { rules.on(method, "evaluate", use: Self.evaluateTakesPost) }
        rules.get(":id", use: retrieve)
        rules.delete(":id", use: delete)
    }

    @Sendable static func evaluateTakesPost(_ request: Request) throws -> Response {
        var error = APIError(
            status: .methodNotAllowed, kind: .invalidRequest, code: "method_not_allowed",
            message: "\(request.method) is not allowed on \(request.url.path); use POST.")
        error.allow = ["POST"]
        throw error
    }

    private func service(_ request: Request) -> CheckoutRuleService {
        CheckoutRuleService(context: request.payhub, db: request.db)
    }

    @Sendable func create(_ request: Request) async throws -> Response {
        try await request.idempotent {
            let input = try request.decodeStrict(CreateCheckoutRuleRequest.self)
            return try CheckoutRuleObject(try await service(request).create(input.input, principal: try request.principal)).response(.created)
        }
    }

    @Sendable func list(_ request: Request) async throws -> Response {
        let page = try await service(request).list(principal: try request.principal, page: try PageRequest(request))
        return try ListObject(data: page.rules.map(CheckoutRuleObject.init), hasMore: page.hasMore, url: "/v1/checkout_rules").response()
    }

    @Sendable func retrieve(_ request: Request) async throws -> Response {
        try CheckoutRuleObject(try await service(request).retrieve(try request.parameters.require("id"), principal: try request.principal))
            .response()
    }

    @Sendable func delete(_ request: Request) async throws -> Response {
        let deleted = try await service(request).delete(try request.parameters.require("id"), principal: try request.principal)
        return try DeletedCheckoutRuleObject(id: deleted.id.rawValue, version: deleted.deletedVersion ?? deleted.createdVersion).response()
    }

    /// Changes nothing; like every POST it honours an `Idempotency-Key`.
    @Sendable func evaluate(_ request: Request) async throws -> Response {
        try await request.idempotent {
            let input = try request.decodeStrict(EvaluateCheckoutRulesRequest.self)
            let principal = try request.principal
            return try CheckoutRuleEvaluationObject(try await service(request).evaluate(input, principal: principal), livemode: principal.livemode)
                .response()
        }
    }
}
