import PayHubCore
import Vapor

/// What an authentication page (the sandbox's, or PayHub's for Stripe) shows about the payment.
struct AuthenticationPageModel: Encodable {
    var title: String
    /// Where the approve / fail form posts.
    var action: String
    var amount: String
    var merchant: String
    /// The attempt's status once the customer has decided; nil while it waits.
    var decided: String?
    /// The form's CSRF token (see `AuthenticationPageGuard`).
    var csrfToken: String
    /// Admits the page's style block under its Content-Security-Policy.
    var styleNonce: String
    /// The sandbox's card page: the test cards to choose from.
    var cards: [Card] = []
    /// The sandbox's card page: the card whose 3-D Secure challenge is shown.
    var challengedCard: String?

    struct Card: Encodable {
        var token: String
        var label: String
    }

    init(title: String, action: String, subject: AuthenticationPageSubject, csrfToken: String, styleNonce: String) {
        let attempt = subject.attempt.attempt
        self.title = title
        self.action = action
        amount = subject.intent.intent.amount.description
        merchant = subject.merchantName
        decided = attempt.status == .requiresAction ? nil : attempt.status.rawValue
        self.csrfToken = csrfToken
        self.styleNonce = styleNonce
    }

    /// Renders `view` as a secured page, setting the CSRF cookie that goes with the form.
    static func render(
        _ view: String, _ context: some Encodable, styleNonce: String, cookie: (String, HTTPCookies.Value)?, stripe: Bool = false,
        request: Request
    ) async throws -> Response {
        let response = try await request.view.render(view, context).encodeResponse(for: request)
        if let (name, value) = cookie { response.cookies[name] = value }
        AuthenticationPageGuard.secure(response, styleNonce: styleNonce, stripe: stripe)
        return response
    }
}

/// The customer's answer on an authentication page.
struct CustomerDecision: Content {
    var decision: String

    func approved() throws -> Bool {
        switch decision {
        case "approve": return true
        case "fail": return false
        default: throw ServiceError.invalid("parameter_invalid", "decision must be approve or fail.", param: "decision")
        }
    }
}
