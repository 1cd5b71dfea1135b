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
    }

    func boot(routes: any RoutesBuilder) throws {
        let pages = routes.grouped("stripe", "authenticate")
        pages.get(":reference", use: show)
        pages.post(":reference", use: decideEmulated)
        pages.get(":reference", "return", use: returned)
    }

    @Sendable func show(_ request: Request) async throws -> View {
        let (attempt, intent, connector, context) = try await load(request)
        let reference = attempt.providerReference ?? ""
        let page = try await connector.authenticationPage(reference: reference, context: context)
        let summary = try await AuthenticationPageModel(
            title: "Confirm this payment", action: "/stripe/authenticate/\(reference)", attempt: attempt, intent: intent, db: request.db)
        switch page {
        case .emulated:
            return try await request.view.render("sandbox-authenticate", summary)
        case .stripeJS(let publishableKey, let clientSecret):
            return try await request.view.render("stripe-authenticate", StripeJSPage(
                publishableKey: publishableKey, clientSecret: clientSecret,
                returnPath: "/stripe/authenticate/\(reference)/return", amount: summary.amount, merchant: summary.merchant))
        }
    }

    @Sendable func decideEmulated(_ request: Request) async throws -> Response {
        let decision = try request.content.decode(CustomerDecision.self)
        let (attempt, _, connector, context) = try await load(request)
        let result = try await connector.completeEmulatedAuthentication(
            reference: attempt.providerReference ?? "", success: try decision.approved(), context: context)
        try await PaymentService(context: request.payhub, db: request.db, logger: request.logger)
            .record(result, attemptID: attempt.id ?? "", intentID: attempt.paymentIntentID, returnURL: attempt.returnURL)
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
