import PayHubCore
import Vapor

/// The hosted checkout's routes: the one table of their methods and paths. Handlers are registered from it and
/// pages link through it, so no path is written anywhere else.
enum CheckoutRoute: CaseIterable, Sendable {
    /// The checkout page: the order, the methods, the Pay button (and the in-page steps: OTP, USSD, QR, transfer).
    case page
    /// The Pay form.
    case pay
    /// The one-time code form of an in-page step.
    case otp
    /// The card fields of a provider whose cards are entered in its script (Stripe.js) on PayHub's page; its
    /// form posts the provider's token to `pay`.
    case card
    /// Sends the customer on to the provider's page of the current attempt.
    case handOff
    /// Where the provider's page sends the customer back.
    case back
    /// The outcome: succeeded, failed with a retry, pending, expired.
    case result
    /// The pending page's poller: the session's step as JSON.
    case status
    /// The "pay later by link" form.
    case payByLink

    static let sessionParameter = "session"
    private static let root: PathComponent = "checkout"

    var method: HTTPMethod {
        switch self {
        case .pay, .otp, .payByLink: .POST
        case .page, .card, .handOff, .back, .result, .status: .GET
        }
    }

    /// The last path segment after the session's id (none for the page itself).
    private var segment: String? {
        switch self {
        case .page: nil
        case .pay: "pay"
        case .otp: "otp"
        case .card: "card"
        case .handOff: "continue"
        case .back: "return"
        case .result: "result"
        case .status: "status"
        case .payByLink: "link"
        }
    }

    /// The pattern the route is registered at.
    var pattern: [PathComponent] {
        [Self.root, .parameter(Self.sessionParameter)] + (segment.map { [PathComponent(stringLiteral: $0)] } ?? [])
    }

    /// The path of this route for one session.
    func path(_ id: CheckoutSessionID) -> String {
        "/\(Self.root)/\(id.rawValue)" + (segment.map { "/" + $0 } ?? "")
    }

    /// The public URL of this route for one session (`PAYHUB_PUBLIC_URL` and the path).
    func url(_ id: CheckoutSessionID, publicBaseURL: String) -> String { publicBaseURL + path(id) }
}

/// The checkout's static files, served from `Resources/Checkout`.
enum CheckoutAsset: String, CaseIterable, Sendable {
    case stylesheet = "checkout.css"
    case script = "checkout.js"
    /// The card page's script: mounts the provider's card fields and sends the form with their token.
    case cardScript = "checkout-card.js"

    static let directory: [PathComponent] = ["checkout", "assets"]

    var path: String { "/" + Self.directory.map(\.description).joined(separator: "/") + "/" + rawValue }

    var contentType: HTTPMediaType {
        switch self {
        case .stylesheet: HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"])
        case .script, .cardScript: HTTPMediaType(type: "application", subType: "javascript", parameters: ["charset": "utf-8"])
        }
    }
}
