import Vapor

/// `/v1/payment_intents`: handlers decode, call `PaymentService`, present its records.
struct PaymentIntentsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let intents = routes.grouped("payment_intents")
        intents.post(use: create)
        intents.get(use: list)
        intents.group(":id") { intent in
            intent.get(use: retrieve)
            intent.post("payments", use: attempt)
            intent.post("payments", ":payment_id", "authenticate", use: authenticate)
            intent.post("capture", use: capture)
            intent.post("cancel", use: cancel)
            intent.post("sync", use: sync)
        }
    }

    private func service(_ request: Request) -> PaymentService {
        PaymentService(context: request.payhub, db: request.db, logger: request.logger)
    }

    @Sendable func create(_ request: Request) async throws -> Response {
        try await request.idempotent {
            let input = try request.decodeStrict(CreatePaymentIntentRequest.self)
            let created = try await service(request).create(input, principal: try request.principal)
            return try Presenter.paymentIntent(created.payment, clientToken: created.clientToken).response(.created)
        }
    }

    @Sendable func list(_ request: Request) async throws -> Response {
        let page = try await service(request).list(principal: try request.principal, page: try PageRequest(request, filters: ["status"]))
        return try ListObject(data: page.items.map { Presenter.paymentIntent($0) }, hasMore: page.hasMore, url: "/v1/payment_intents").response()
    }

    @Sendable func retrieve(_ request: Request) async throws -> Response {
        try await present(request) { try await $0.retrieve(try request.parameters.require("id"), principal: try request.principal) }
    }

    @Sendable func attempt(_ request: Request) async throws -> Response {
        try await request.idempotent {
            let input = try request.decodeStrict(AttemptPaymentRequest.self)
            return try await present(request, .created) {
                try await $0.attempt(try request.parameters.require("id"), input: input, principal: try request.principal)
            }
        }
    }

    @Sendable func authenticate(_ request: Request) async throws -> Response {
        try await request.idempotent {
            let input = try request.decodeStrict(AuthenticateAttemptRequest.self)
            return try await present(request) {
                try await $0.authenticate(
                    try request.parameters.require("id"), attemptID: try request.parameters.require("payment_id"), otp: input.otp,
                    principal: try request.principal)
            }
        }
    }

    @Sendable func capture(_ request: Request) async throws -> Response {
        try await request.idempotent {
            let input = try request.decodeStrict(CapturePaymentIntentRequest.self)
            return try await present(request) {
                try await $0.capture(try request.parameters.require("id"), amount: input.amount, principal: try request.principal)
            }
        }
    }

    @Sendable func cancel(_ request: Request) async throws -> Response {
        try await request.idempotent {
            let input = try request.decodeStrict(CancelPaymentIntentRequest.self)
            return try await present(request) {
                try await $0.cancel(try request.parameters.require("id"), reason: input.cancellationReason, principal: try request.principal)
            }
        }
    }

    @Sendable func sync(_ request: Request) async throws -> Response {
        try await request.idempotent {
            _ = try request.decodeStrict(EmptyRequest.self)
            return try await present(request) { try await $0.sync(try request.parameters.require("id"), principal: try request.principal) }
        }
    }

    /// Presents the intent an operation returns. A refusal that names the intent it left behind (a declined
    /// payment) embeds that intent in the error, as Stripe does.
    private func present(
        _ request: Request, _ status: HTTPResponseStatus = .ok, _ operation: (PaymentService) async throws -> PaymentIntentAggregate
    ) async throws -> Response {
        let service = service(request)
        do {
            return try Presenter.paymentIntent(try await operation(service)).response(status)
        } catch let error as ServiceError {
            guard let id = error.paymentIntentID else { throw error }
            var apiError = APIError.from(error)
            apiError.paymentIntent = try await Presenter.paymentIntent(service.retrieve(id, principal: try request.principal))
            throw apiError
        }
    }
}
