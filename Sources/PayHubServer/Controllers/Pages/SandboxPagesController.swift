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
        var page = AuthenticationPageModel(
            title: "PayHub sandbox: confirm this payment", action: path, subject: subject, csrfToken: token, styleNonce: nonce)
        if SandboxConnector.waitsOnCardPage(reference: subject.reference) {
            // The card page: choose a test card; the one that asks for 3-D Secure shows its challenge next.
            let challenged = (try? request.query.get(String.self, at: "card")).flatMap { card in
                SandboxConnector.pageCards.first { $0.token == card && $0.token == Self.challengeCard }
            }
            page.title = challenged == nil ? "PayHub sandbox: pay by card" : "PayHub sandbox: 3-D Secure"
            page.cards = challenged == nil ? SandboxConnector.pageCards.map { .init(token: $0.token, label: $0.label) } : []
            page.challengedCard = challenged?.token
        }
        return try await AuthenticationPageModel.render("sandbox-authenticate", page, styleNonce: nonce, cookie: cookie, request: request)
    }

    /// The test card that answers with a 3-D Secure challenge.
    static let challengeCard = "tok_threeds"

    @Sendable func decide(_ request: Request) async throws -> Response {
        let subject = try await subject(request)
        try AuthenticationPageGuard(context: request.payhub).check(request, attemptID: subject.attempt.id)
        let simulator = SandboxSimulator(context: request.payhub, db: request.db, logger: request.logger)
        let connector = try simulator.sandbox()
        let now = request.payhub.clock.now()
        let result: ConnectorPaymentResult
        if SandboxConnector.waitsOnCardPage(reference: subject.reference) {
            let choice = try request.content.decode(SandboxCardChoice.self)
            if choice.card == Self.challengeCard && choice.decision == nil {
                return request.redirect(to: "/sandbox/authenticate/\(subject.reference)?card=\(Self.challengeCard)", redirectType: .normal)
            }
            let approved = try choice.decision.map { try CustomerDecision(decision: $0).approved() } ?? true
            result = try connector.cardChosen(reference: subject.reference, token: choice.card, approved: approved, at: now)
        } else {
            let approved = try request.content.decode(CustomerDecision.self).approved()
            result = try connector.customerDecision(reference: subject.reference, approved: approved, at: now)
        }
        try await service(request).decideOnce(approved: result.outcome.attemptStatus != .failed, for: subject) {
            try await simulator.report(result, on: subject)
        }
        return request.redirect(to: subject.returnURL ?? "/sandbox/authenticate/\(subject.reference)")
    }
}

/// The customer's choice on the sandbox's card page: a test card, and the 3-D Secure answer for the card that asks.
struct SandboxCardChoice: Content {
    var card: String
    var decision: String?
}
