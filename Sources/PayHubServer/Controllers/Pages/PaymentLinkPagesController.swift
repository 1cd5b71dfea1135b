import Leaf
import PayHubCore
import Vapor

/// `/l/{id}`: the page a payment link opens. An active link starts or resumes a checkout session and sends the
/// customer there (303); a paid, expired, deactivated or unknown link shows why it cannot be paid, in the
/// customer's language (the link's customer locale, else `Accept-Language`).
struct PaymentLinkPagesController: RouteCollection {
    /// A reusable link's visitor: the session this browser opened through it, resumed while it is open.
    static let visitorCookie = "payhub_plink"

    func boot(routes: any RoutesBuilder) throws {
        routes.get("l", ":id", use: open)
    }

    @Sendable func open(_ request: Request) async throws -> Response {
        let service = PaymentLinkService(context: request.payhub, db: request.db, logger: request.logger)
        let id = try request.parameters.require("id")
        let opening: PaymentLinkOpening
        do {
            opening = try await service.open(id, visitorSession: request.cookies[Self.visitorCookie]?.string)
        } catch let error as ServiceError where error.kind == .notFound {
            return try await PaymentLinkClosedPage.render(.unknown, link: nil, merchant: nil, theme: .standard, request: request)
        }
        switch opening {
        case .checkout(let sessionID, let link, let session):
            let response = request.redirect(to: CheckoutRoute.page.path(sessionID))
            if link.link.reusable {
                response.cookies[Self.visitorCookie] = HTTPCookies.Value(
                    string: sessionID.rawValue, expires: session.session.expiresAt, path: PaymentLinkPagePaths.link(link.id),
                    isSecure: request.payhub.config.publicBaseURL.hasPrefix("https:"), isHTTPOnly: true, sameSite: .lax)
            }
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
            response.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
            return response
        case .closed(let link, let closure):
            // The merchant's name and theme, as its checkout pages show them (and cached with them).
            let configuration = try await CheckoutConfigurations(context: request.payhub, db: request.db).current(in: link.scope)
            return try await PaymentLinkClosedPage.render(
                PaymentLinkClosedPage.Reason(closure), link: link, merchant: configuration?.merchantName,
                theme: configuration?.theme ?? .standard, defaultLocale: configuration?.defaultLocale ?? .en, request: request)
        }
    }
}

/// `payment-link-closed.leaf`: why a link cannot be paid, in the customer's language, under the pages' CSP.
struct PaymentLinkClosedPage: Encodable {
    enum Reason: String {
        case paid, expired, deactivated, unknown

        init(_ closure: PaymentLinkClosure) {
            switch closure {
            case .paid: self = .paid
            case .expired: self = .expired
            case .deactivated: self = .deactivated
            }
        }

        var status: HTTPResponseStatus {
            switch self {
            case .paid: .ok
            case .expired, .deactivated: .gone
            case .unknown: .notFound
            }
        }
    }

    var lang: String
    var reason: String
    var title: String
    var message: String
    var amount: String?
    var description: String?
    var styleNonce: String
    /// The merchant's checkout theme, so the page looks like the shop's checkout: its colours, font and logo.
    var merchant: String?
    var logoURL: String?
    var themeCSS: String

    static func render(
        _ reason: Reason, link: PaymentLinkRecord?, merchant: String?, theme: CheckoutTheme, defaultLocale: CustomerLocale = .en,
        request: Request
    ) async throws -> Response {
        let locale = CustomerLocale.negotiate(
            requested: link?.customer?.locale, acceptLanguage: request.headers.first(name: .acceptLanguage), merchantDefault: defaultLocale)
        let catalog = try TranslationCatalog.shipped.get()
        let values = ["merchant": merchant ?? ""]
        let nonce = AuthenticationPageGuard.newNonce()
        let page = PaymentLinkClosedPage(
            lang: locale.rawValue,
            reason: reason.rawValue,
            title: catalog.text("link.\(reason.rawValue).title", in: locale, values),
            message: catalog.text("link.\(reason.rawValue).body", in: locale, values),
            amount: link.map { catalog.text("link.amount", in: locale, ["amount": LocalizedMoney.format(Money(minorUnits: $0.totals.amountTotal, currency: $0.totals.currency), in: locale)]) },
            description: link?.description,
            styleNonce: nonce, merchant: merchant, logoURL: theme.logoURL, themeCSS: CheckoutPageModelBuilder.css(theme))
        let response = try await request.view.render("payment-link-closed", page).encodeResponse(for: request)
        response.status = reason.status
        response.headers.replaceOrAdd(name: "Content-Language", value: locale.rawValue)
        AuthenticationPageGuard.secure(response, styleNonce: nonce, imageHosts: theme.logoURL.flatMap(CheckoutPageHeaders.origin(of:)).map { [$0] } ?? [])
        return response
    }
}
