import Fluent
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
        let (attempt, intent, connector, context) = try await load(request)
        let reference = attempt.providerReference ?? ""
        let path = "/stripe/authenticate/\(reference)"
        let page = try await connector.authenticationPage(reference: reference, context: context)
        let (token, cookie) = AuthenticationPageGuard(context: request.payhub).issue(
            attemptID: attempt.id ?? "", path: path, secure: request.payhub.config.publicBaseURL.hasPrefix("https:"))
        let nonce = AuthenticationPageGuard.newNonce()
        let summary = try await AuthenticationPageModel(
            title: "Confirm this payment", action: path, attempt: attempt, intent: intent, csrfToken: token, styleNonce: nonce,
            db: request.db)
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
        let decision = try request.content.decode(CustomerDecision.self)
        let approved = try decision.approved()
        let (attempt, _, connector, context) = try await load(request)
        let attemptID = attempt.id ?? ""
        try AuthenticationPageGuard(context: request.payhub).check(request, attemptID: attemptID)
        guard attempt.status == "requires_action" else { throw AuthenticationPageGuard.alreadyDecided }
        try await AuthenticationPageGuard.claimDecision(
            attemptID: attemptID, decision: approved ? "approve" : "fail", now: request.payhub.clock.now(), context: request.payhub,
            db: request.db)
        do {
            let result = try await connector.completeEmulatedAuthentication(
                reference: attempt.providerReference ?? "", success: approved, context: context)
            try await PaymentService(context: request.payhub, db: request.db, logger: request.logger)
                .record(result, attemptID: attemptID, intentID: attempt.paymentIntentID, returnURL: attempt.returnURL)
        } catch {
            await AuthenticationPageGuard.releaseDecision(attemptID: attemptID, context: request.payhub, db: request.db)
            throw error
        }
        return request.redirect(to: AuthenticationPageModel.returnURL(of: attempt) ?? "/stripe/authenticate/\(attempt.providerReference ?? "")")
    }

    /// Where Stripe.js comes back to: PayHub asks Stripe how the payment stands, then sends the customer home.
    @Sendable func returned(_ request: Request) async throws -> Response {
        let (attempt, _, _, _) = try await load(request)
        try await PaymentService(context: request.payhub, db: request.db, logger: request.logger).refresh(attempt)
        return request.redirect(to: AuthenticationPageModel.returnURL(of: attempt) ?? "/stripe/authenticate/\(attempt.providerReference ?? "")")
    }

    private func load(_ request: Request) async throws -> (PaymentAttemptModel, PaymentIntentModel, StripeConnector, ConnectorContext) {
        let reference = try request.parameters.require("reference")
        guard let attempt = try await PaymentAttemptModel.query(on: request.db)
            .filter(\.$provider == StripeConnector.name).filter(\.$providerReference == reference).first(),
            let intent = try await PaymentIntentModel.find(attempt.paymentIntentID, on: request.db),
            let account = try await ProviderAccountModel.find(attempt.providerAccountID, on: request.db),
            let connector = request.payhub.connectors[StripeConnector.name] as? StripeConnector
        else { throw APIError.notFound("Stripe payment", id: reference, param: "reference") }
        return (attempt, intent, connector, try request.payhub.connectorContext(for: account))
    }
}
