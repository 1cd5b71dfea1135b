import Fluent
import Leaf
import PayHubConnectors
import Vapor

/// The sandbox provider's customer-facing page: 3-D Secure or a wallet, where the customer approves or fails.
struct SandboxPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let pages = routes.grouped("sandbox", "authenticate")
        pages.get(":reference", use: show)
        pages.post(":reference", use: decide)
    }

    @Sendable func show(_ request: Request) async throws -> View {
        let reference = try request.parameters.require("reference")
        guard let attempt = try await PaymentAttemptModel.query(on: request.db)
            .filter(\.$provider == SandboxConnector.name).filter(\.$providerReference == reference).first(),
            let intent = try await PaymentIntentModel.find(attempt.paymentIntentID, on: request.db)
        else { throw APIError.notFound("sandbox payment", id: reference, param: "reference") }
        return try await request.view.render("sandbox-authenticate", try await AuthenticationPageModel(
            title: "PayHub sandbox: confirm this payment", action: "/sandbox/authenticate/\(reference)",
            attempt: attempt, intent: intent, db: request.db))
    }

    @Sendable func decide(_ request: Request) async throws -> Response {
        let reference = try request.parameters.require("reference")
        let decision = try request.content.decode(CustomerDecision.self)
        let simulator = SandboxSimulator(context: request.payhub, db: request.db, logger: request.logger)
        guard let attempt = try await simulator.customerDecided(reference: reference, approved: try decision.approved()) else {
            throw APIError.notFound("sandbox payment", id: reference, param: "reference")
        }
        return request.redirect(to: AuthenticationPageModel.returnURL(of: attempt) ?? "/sandbox/authenticate/\(reference)")
    }
}
