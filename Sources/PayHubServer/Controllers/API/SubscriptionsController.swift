import Vapor

/// `/v1/subscriptions`: handlers decode, call `SubscriptionService`, present its records.
struct SubscriptionsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let subscriptions = routes.grouped("subscriptions")
        subscriptions.post(use: create)
        subscriptions.get(use: list)
        subscriptions.group(":id") { subscription in
            subscription.get(use: retrieve)
            subscription.post(use: update)
            subscription.post("cancel", use: cancel)
            subscription.post("resume", use: resume)
        }
    }

    private func service(_ request: Request) -> SubscriptionService {
        SubscriptionService(context: request.payhub, db: request.db, logger: request.logger)
    }

    private func present(_ presented: SubscriptionService.Presented, _ request: Request) -> SubscriptionObject {
        Presenter.subscription(presented.record, latestPaymentIntent: presented.latestPaymentIntent, publicBaseURL: request.payhub.config.publicBaseURL)
    }

    @Sendable func create(_ request: Request) async throws -> Response {
        try await request.idempotent {
            let input = try request.decodeStrict(CreateSubscriptionRequest.self)
            do {
                return try present(try await service(request).create(input, principal: try request.principal), request).response(.created)
            } catch let refused as RenewalUnsupported {
                throw APIError(status: .unprocessableEntity, kind: .invalidRequest, code: "renewal_unsupported", message: refused.message, param: "renewal")
            }
        }
    }

    @Sendable func list(_ request: Request) async throws -> Response {
        let service = service(request)
        let page = try await service.list(
            principal: try request.principal, page: try PageRequest(request, filters: ["status", "customer_reference", "renewal"]))
        var data: [SubscriptionObject] = []
        for record in page.items { data.append(present(try await service.presented(record), request)) }
        return try ListObject(data: data, hasMore: page.hasMore, url: "/v1/subscriptions").response()
    }

    @Sendable func retrieve(_ request: Request) async throws -> Response {
        try present(try await service(request).retrieve(try request.parameters.require("id"), principal: try request.principal), request).response()
    }

    @Sendable func update(_ request: Request) async throws -> Response {
        try await request.idempotent {
            let input = try request.decodeStrict(UpdateSubscriptionRequest.self)
            let updated = try await service(request).update(try request.parameters.require("id"), input: input, principal: try request.principal)
            return try present(updated, request).response()
        }
    }

    @Sendable func cancel(_ request: Request) async throws -> Response {
        try await request.idempotent {
            let input = try request.decodeStrict(CancelSubscriptionRequest.self)
            let canceled = try await service(request).cancel(
                try request.parameters.require("id"), atPeriodEnd: input.atPeriodEnd, principal: try request.principal)
            return try present(canceled, request).response()
        }
    }

    @Sendable func resume(_ request: Request) async throws -> Response {
        try await request.idempotent {
            _ = try request.decodeStrict(EmptyRequest.self)
            return try present(try await service(request).resume(try request.parameters.require("id"), principal: try request.principal), request).response()
        }
    }
}

/// `/v1/test_clocks` (test mode only).
struct TestClocksController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let clocks = routes.grouped("test_clocks")
        clocks.post(use: create)
        clocks.get(use: list)
        clocks.group(":id") { clock in
            clock.get(use: retrieve)
            clock.post("advance", use: advance)
        }
    }

    private func service(_ request: Request) -> TestClockService {
        TestClockService(context: request.payhub, db: request.db, logger: request.logger)
    }

    @Sendable func create(_ request: Request) async throws -> Response {
        try await request.idempotent {
            let input = try request.decodeStrict(CreateTestClockRequest.self)
            return try Presenter.testClock(try await service(request).create(input, principal: try request.principal)).response(.created)
        }
    }

    @Sendable func list(_ request: Request) async throws -> Response {
        let page = try await service(request).list(principal: try request.principal, page: try PageRequest(request, filters: []))
        return try ListObject(data: page.items.map(Presenter.testClock), hasMore: page.hasMore, url: "/v1/test_clocks").response()
    }

    @Sendable func retrieve(_ request: Request) async throws -> Response {
        try Presenter.testClock(try await service(request).retrieve(try request.parameters.require("id"), principal: try request.principal)).response()
    }

    @Sendable func advance(_ request: Request) async throws -> Response {
        try await request.idempotent {
            let input = try request.decodeStrict(AdvanceTestClockRequest.self)
            let advanced = try await service(request).advance(try request.parameters.require("id"), to: input.frozenTime, principal: try request.principal)
            return try Presenter.testClock(advanced).response()
        }
    }
}
