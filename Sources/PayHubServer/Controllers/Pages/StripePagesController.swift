import Leaf
import PayHubConnectors
import Vapor

/// The 3-D Secure page for Stripe payments whose challenge has no browser URL (`use_stripe_sdk`): Stripe.js
/// `handleNextAction` against Stripe, or an approve / fail choice against the localstripe emulator.
struct StripePagesController: RouteCollection {
    struct StripeJSPage: Encodable {
        var publishableKey: String
        var clientSecret: String
        var returnPath: String
        var amount: String
        var merchant: String
        var styleNonce: String
    }

    func boot(routes: any RoutesBuilder) throws {
        let pages = routes.grouped("stripe", "authenticate")
        pages.get(":reference", use: show)
        pages.post(":reference", use: decideEmulated)
        pages.get(":reference", "return", use: returned)
        routes.get("stripe", "authenticate.js", use: script)
    }

    private func service(_ request: Request) -> PaymentService {
        PaymentService(context: request.payhub, db: request.db, logger: request.logger)
    }

    private func subject(_ request: Request) async throws -> AuthenticationPageSubject {
        try await service(request).authenticationSubject(
            provider: StripeConnector.name, reference: try request.parameters.require("reference"), what: "Stripe payment")
    }

    /// The page's script, served from PayHub so that the page needs no inline script.
    @Sendable func script(_ request: Request) async throws -> Response {
        guard let data = try? Data(contentsOf: Bundle.module.bundleURL.appendingPathComponent("Resources/Scripts/stripe-authenticate.js"))
        else { throw Abort(.notFound) }
        let response = Response(status: .ok, body: .init(data: data))
        response.headers.contentType = HTTPMediaType(type: "application", subType: "javascript", parameters: ["charset": "utf-8"])
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        return response
    }

    @Sendable func show(_ request: Request) async throws -> Response {
        let subject = try await subject(request)
        let path = "/stripe/authenticate/\(subject.reference)"
        let page = try await service(request).providerPage(for: subject)
        let (token, cookie) = AuthenticationPageGuard(context: request.payhub).issue(
            attemptID: subject.attempt.id, path: path, secure: request.payhub.config.publicBaseURL.hasPrefix("https:"))
        let nonce = AuthenticationPageGuard.newNonce()
        let summary = AuthenticationPageModel(
            title: "Confirm this payment", action: path, subject: subject, csrfToken: token, styleNonce: nonce)
        switch page {
        case .emulated:
            return try await AuthenticationPageModel.render("sandbox-authenticate", summary, styleNonce: nonce, cookie: cookie, request: request)
        case .stripeJS(let publishableKey, let clientSecret):
            return try await AuthenticationPageModel.render("stripe-authenticate", StripeJSPage(
                publishableKey: publishableKey, clientSecret: clientSecret,
                returnPath: "\(path)/return", amount: summary.amount, merchant: summary.merchant, styleNonce: nonce),
                styleNonce: nonce, cookie: nil, stripe: true, request: request)
        }
    }

    /// The emulator's approve / fail form: once per attempt, from this page only (`AuthenticationPageGuard`).
    @Sendable func decideEmulated(_ request: Request) async throws -> Response {
        let approved = try request.content.decode(CustomerDecision.self).approved()
        let subject = try await subject(request)
        try AuthenticationPageGuard(context: request.payhub).check(request, attemptID: subject.attempt.id)
        let service = service(request)
        try await service.decideOnce(approved: approved, for: subject) {
            try await service.completeEmulatedAuthentication(subject, approved: approved)
        }
        return request.redirect(to: subject.returnURL ?? "/stripe/authenticate/\(subject.reference)")
    }

    /// Where Stripe.js comes back to: PayHub asks Stripe how the payment stands, then sends the customer home.
    @Sendable func returned(_ request: Request) async throws -> Response {
        let subject = try await subject(request)
        try await service(request).refresh(subject.attempt)
        return request.redirect(to: subject.returnURL ?? "/stripe/authenticate/\(subject.reference)")
    }
}
