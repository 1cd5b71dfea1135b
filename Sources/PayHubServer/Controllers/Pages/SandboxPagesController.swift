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

    private func service(_ request: Request) -> PaymentService {
        PaymentService(context: request.payhub, db: request.db, logger: request.logger)
    }

    private func subject(_ request: Request) async throws -> AuthenticationPageSubject {
        try await service(request).authenticationSubject(
            provider: SandboxConnector.name, reference: try request.parameters.require("reference"), what: "sandbox payment")
    }

    @Sendable func show(_ request: Request) async throws -> Response {
        let subject = try await subject(request)
        let path = "/sandbox/authenticate/\(subject.reference)"
        let (token, cookie) = AuthenticationPageGuard(context: request.payhub).issue(
            attemptID: subject.attempt.id, path: path, secure: request.payhub.config.publicBaseURL.hasPrefix("https:"))
        let nonce = AuthenticationPageGuard.newNonce()
        let page = AuthenticationPageModel(
            title: "PayHub sandbox: confirm this payment", action: path, subject: subject, csrfToken: token, styleNonce: nonce)
        return try await AuthenticationPageModel.render("sandbox-authenticate", page, styleNonce: nonce, cookie: cookie, request: request)
    }

    @Sendable func decide(_ request: Request) async throws -> Response {
        let approved = try request.content.decode(CustomerDecision.self).approved()
        let subject = try await subject(request)
        try AuthenticationPageGuard(context: request.payhub).check(request, attemptID: subject.attempt.id)
        let simulator = SandboxSimulator(context: request.payhub, db: request.db, logger: request.logger)
        try await service(request).decideOnce(approved: approved, for: subject) {
            try await simulator.customerDecided(on: subject, approved: approved)
        }
        return request.redirect(to: subject.returnURL ?? "/sandbox/authenticate/\(subject.reference)")
    }
}
