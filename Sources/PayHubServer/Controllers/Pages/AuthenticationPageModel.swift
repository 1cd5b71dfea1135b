import Fluent
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

    init(
        title: String, action: String, attempt: PaymentAttemptModel, intent: PaymentIntentModel, csrfToken: String, styleNonce: String,
        db: any Database
    ) async throws {
        let merchant = try await MerchantRepository().find(try MerchantID(parsing: intent.merchantID), on: db.sql)
        let amount = (try? Currency(code: intent.currency)).map { Money(minorUnits: intent.amount, currency: $0).description }
        self.title = title
        self.action = action
        self.amount = amount ?? "\(intent.amount) \(intent.currency)"
        self.merchant = merchant?.name ?? ""
        decided = attempt.status == "requires_action" ? nil : attempt.status
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

    /// Where the customer goes back to: the attempt's return URL with the intent's id added.
    static func returnURL(of attempt: PaymentAttemptModel) -> String? {
        guard let returnURL = attempt.returnURL, var components = URLComponents(string: returnURL) else { return nil }
        var items = components.queryItems ?? []
        items.append(URLQueryItem(name: "payment_intent", value: attempt.paymentIntentID))
        components.queryItems = items
        return components.string ?? returnURL
    }
}

/// The customer's answer on an authentication page.
struct CustomerDecision: Content {
    var decision: String

    func approved() throws -> Bool {
        switch decision {
        case "approve": return true
        case "fail": return false
        default: throw APIError.invalid("parameter_invalid", "decision must be approve or fail.", param: "decision")
        }
    }
}
