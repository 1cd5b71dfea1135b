import Fluent
import Leaf
import PayHubConnectors
import Vapor

/// The sandbox provider's customer-facing page: 3-D Secure or a wallet, where the customer approves or fails.
/// The form carries a CSRF token bound to the attempt, and each attempt takes one decision (`AuthenticationPageGuard`).
struct SandboxPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let pages = routes.grouped("sandbox", "authenticate")
        pages.get(":reference", use: show)
        pages.post(":reference", use: decide)
    }

    @Sendable func show(_ request: Request) async throws -> Response {
        let reference = try request.parameters.require("reference")
        let (attempt, intent) = try await load(reference, request: request)
        let path = "/sandbox/authenticate/\(reference)"
        let (token, cookie) = AuthenticationPageGuard(context: request.payhub).issue(
            attemptID: attempt.id ?? "", path: path, secure: request.payhub.config.publicBaseURL.hasPrefix("https:"))
        let nonce = AuthenticationPageGuard.newNonce()
        let page = try await AuthenticationPageModel(
            title: "PayHub sandbox: confirm this payment", action: path, attempt: attempt, intent: intent,
            csrfToken: token, styleNonce: nonce, db: request.db)
        return try await AuthenticationPageModel.render("sandbox-authenticate", page, styleNonce: nonce, cookie: cookie, request: request)
    }

    @Sendable func decide(_ request: Request) async throws -> Response {
        let reference = try request.parameters.require("reference")
        let approved = try request.content.decode(CustomerDecision.self).approved()
        let (attempt, _) = try await load(reference, request: request)
        let attemptID = attempt.id ?? ""
        try AuthenticationPageGuard(context: request.payhub).check(request, attemptID: attemptID)
        guard attempt.status == "requires_action" else { throw AuthenticationPageGuard.alreadyDecided }
        let context = request.payhub
        try await AuthenticationPageGuard.claimDecision(
            attemptID: attemptID, decision: approved ? "approve" : "fail", now: context.clock.now(), context: context, db: request.db)
        do {
            let simulator = SandboxSimulator(context: context, db: request.db, logger: request.logger)
            guard try await simulator.customerDecided(reference: reference, approved: approved) != nil else {
                throw APIError.notFound("sandbox payment", id: reference, param: "reference")
            }
        } catch {
            await AuthenticationPageGuard.releaseDecision(attemptID: attemptID, context: context, db: request.db)
            throw error
        }
        return request.redirect(to: AuthenticationPageModel.returnURL(of: attempt) ?? "/sandbox/authenticate/\(reference)")
    }

    private func load(_ reference: String, request: Request) async throws -> (PaymentAttemptModel, PaymentIntentModel) {
        guard let attempt = try await PaymentAttemptModel.query(on: request.db)
            .filter(\.$provider == SandboxConnector.name).filter(\.$providerReference == reference).first(),
            let intent = try await PaymentIntentModel.find(attempt.paymentIntentID, on: request.db)
        else { throw APIError.notFound("sandbox payment", id: reference, param: "reference") }
        return (attempt, intent)
    }
}
