import Vapor

/// `/v1/payment_intents`: handlers decode, call `PaymentService`, encode.
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
            return try await service(request).create(input, principal: try request.principal).response(.created)
        }
    }

    @Sendable func list(_ request: Request) async throws -> Response {
        try await service(request).list(principal: try request.principal, page: try PageRequest(request, filters: ["status"])).response()
    }

    @Sendable func retrieve(_ request: Request) async throws -> Response {
        try await service(request).retrieve(try request.parameters.require("id"), principal: try request.principal).response()
    }

    @Sendable func attempt(_ request: Request) async throws -> Response {
        try await request.idempotent {
            let input = try request.decodeStrict(AttemptPaymentRequest.self)
            return try await service(request)
                .attempt(try request.parameters.require("id"), input: input, principal: try request.principal).response(.created)
        }
    }

    @Sendable func authenticate(_ request: Request) async throws -> Response {
        try await request.idempotent {
            let input = try request.decodeStrict(AuthenticateAttemptRequest.self)
            return try await service(request).authenticate(
                try request.parameters.require("id"), attemptID: try request.parameters.require("payment_id"), otp: input.otp,
                principal: try request.principal
            ).response()
        }
    }

    @Sendable func capture(_ request: Request) async throws -> Response {
        try await request.idempotent {
            let input = try request.decodeStrict(CapturePaymentIntentRequest.self)
            return try await service(request)
                .capture(try request.parameters.require("id"), amount: input.amount, principal: try request.principal).response()
        }
    }

    @Sendable func cancel(_ request: Request) async throws -> Response {
        try await request.idempotent {
            let input = try request.decodeStrict(CancelPaymentIntentRequest.self)
            return try await service(request)
                .cancel(try request.parameters.require("id"), reason: input.cancellationReason, principal: try request.principal).response()
        }
    }

    @Sendable func sync(_ request: Request) async throws -> Response {
        try await request.idempotent {
            _ = try request.decodeStrict(EmptyRequest.self)
            return try await service(request).sync(try request.parameters.require("id"), principal: try request.principal).response()
        }
    }
}
