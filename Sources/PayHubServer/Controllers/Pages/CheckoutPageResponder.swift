import Foundation
import Leaf
import PayHubConnectors
import PayHubCore
import Vapor

/// Answers one checkout request for one session: its pages in the customer's language under the checkout's
/// security headers, its redirects (always to a `CheckoutRoute`), its CSRF check.
struct CheckoutPageResponder {
    let request: Request
    let subject: CheckoutPageService.Subject
    /// The customer's language, worked out once per request.
    let locale: CustomerLocale

    init(request: Request, subject: CheckoutPageService.Subject) {
        self.request = request
        self.subject = subject
        let session = subject.session
        let requested = session.locale == "auto" ? session.customer?.locale : session.locale
        locale = CheckoutLocaleMemo.negotiate(
            requested: requested, acceptLanguage: request.headers.first(name: .acceptLanguage), merchantDefault: subject.defaultLocale)
    }

    private var catalog: TranslationCatalog {
        get throws { try TranslationCatalog.shipped.get() }
    }

    func text(_ key: String, _ values: [String: String] = [:]) -> String {
        (try? catalog.text(key, in: locale, values)) ?? key
    }

    /// What the customer reads about a refused choice: PayHub's own sentence in their language (a provider's
    /// message is neither translated nor meant for them).
    func text(for error: ServiceError) -> String {
        switch error.code {
        case "phone_invalid": text("checkout.phone_invalid")
        case CheckoutPageService.methodNotOffered.code: text("checkout.method_not_offered")
        default: text("checkout.choice_invalid")
        }
    }

    /// The checkout page for the session's step; a finished session shows its result.
    func render(
        for step: CheckoutPageStep, error: String? = nil, notice: String? = nil, status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        switch step {
        case .choose: return try await render(.choose, error: error, notice: notice, status: status)
        case .handOff: return try await render(.redirect, status: status)
        case .inPage(.otp): return try await render(.otp, error: error, status: status)
        case .inPage(.ussd): return try await render(.ussd, status: status)
        case .inPage(.displayQRCode): return try await render(.qr, status: status)
        case .inPage(.displayBankTransferInstructions): return try await render(.bankTransfer, status: status)
        case .inPage(.redirectToURL): return try await render(.redirect, status: status)
        case .pending, .succeeded, .expired: return try await renderResult(of: step)
        }
    }

    /// The result page: succeeded, failed (with a retry), pending (which updates itself) or expired. A session
    /// still waiting for the customer goes back to its page.
    func renderResult(of step: CheckoutPageStep) async throws -> Response {
        switch step {
        case .succeeded: return try await render(.succeeded)
        case .expired: return try await render(.expired)
        case .pending: return try await render(.pending)
        case .choose(.some): return try await render(.failed)
        case .choose(nil), .handOff, .inPage: return redirect(.page)
        }
    }

    /// The card page: the provider's card fields (its script, admitted by the page's policy), whose token the
    /// form posts to `pay` with the method chosen on the checkout page.
    func renderCard(_ fields: ProviderCardFields, method: String, termsAccepted: Bool) async throws -> Response {
        let card = CheckoutPageModel.CardFields(
            method: method, termsAccepted: termsAccepted, providerScript: fields.scriptURL, publishableKey: fields.publishableKey,
            script: CheckoutAsset.cardScript.path)
        return try await render(.card, card: (card, fields))
    }

    private func render(
        _ screen: CheckoutPageModel.Screen, error: String? = nil, notice: String? = nil, status: HTTPResponseStatus = .ok,
        card: (model: CheckoutPageModel.CardFields, fields: ProviderCardFields)? = nil
    ) async throws -> Response {
        let nonce = AuthenticationPageGuard.newNonce()
        let secure = request.payhub.config.publicBaseURL.hasPrefix("https:")
        let forms = screen == .choose || screen == .otp || screen == .card
        let issued = forms
            ? AuthenticationPageGuard(context: request.payhub).issue(
                subject: subject.session.id.rawValue, path: CheckoutRoute.page.path(subject.session.id), secure: secure)
            : nil
        let attemptKey = forms ? AuthenticationPageGuard.randomLetters() : nil
        let builder = CheckoutPageModelBuilder(subject: subject, locale: locale, catalog: try catalog)
        var model = builder.model(screen: screen, csrfToken: issued?.formToken, attemptKey: attemptKey, styleNonce: nonce, errorMessage: error)
        model.notice = notice
        model.card = card?.model
        let methods = screen == .choose ? try await CheckoutMethodsFragment.html(model.methods, texts: model.t, locale: locale, request: request) : ""
        let page = try await LeafPageShells.render(
            "checkout", context: model.leafContext(methodsHTML: methods), fixed: ["screen": screen.rawValue, "t": locale.rawValue],
            raw: ["methodsHTML"], request: request)
        let response = Response(status: status, body: .init(buffer: page))
        response.headers.contentType = .html
        if let (name, value) = issued?.cookie { response.cookies[name] = value }
        CheckoutPageHeaders.secure(
            response, styleNonce: nonce, theme: subject.theme, frameAncestors: subject.frameAncestors, cardFields: card?.fields)
        return response
    }

    /// The pending page's poller: where the session stands, and where to go when that is final.
    /// The poller's answer: where the payment stands and which page shows it.
    static func status(_ step: CheckoutPageStep, session id: CheckoutSessionID) throws -> Response {
        struct Status: Encodable {
            var step: String
            var final: Bool
            var next: String
        }
        let (name, next): (String, CheckoutRoute) = switch step {
        case .choose(nil): ("open", .page)
        case .choose(.some): ("failed", .result)
        case .handOff: ("redirect", .page)
        case .inPage(let action): (action.type, .page)
        case .pending: ("pending", .result)
        case .succeeded: ("succeeded", .result)
        case .expired: ("expired", .result)
        }
        let response = Response(status: .ok)
        try response.content.encode(Status(step: name, final: step.isFinal, next: next.path(id)), as: .json)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        return response
    }

    func redirect(_ route: CheckoutRoute, query: [URLQueryItem] = []) -> Response {
        var components = URLComponents()
        components.path = route.path(subject.session.id)
        if !query.isEmpty { components.queryItems = query }
        return request.redirect(to: components.string ?? route.path(subject.session.id), redirectType: .normal)
    }

    /// Post/Redirect/Get after an action: on to the provider, back to the page for an in-page step, or the result.
    func redirect(after step: CheckoutPageStep) -> Response {
        switch step {
        case .handOff(let url): request.redirect(to: url, redirectType: .normal)
        case .inPage, .choose(nil): redirect(.page)
        case .choose, .pending, .succeeded, .expired: redirect(.result)
        }
    }

    /// Refuses a form that did not come from this session's page in this browser.
    func checkForm() throws {
        try AuthenticationPageGuard(context: request.payhub).check(request, subject: subject.session.id.rawValue)
    }
}

/// The checkout pages' security headers.
enum CheckoutPageHeaders {
    /// A Content-Security-Policy without inline script (the page's one style block has a nonce), images from
    /// PayHub and the theme's logo and favicon hosts, and framing only by the merchant's allowed origins. The card
    /// page also admits its provider's script, the requests it makes and the frames it draws (`cardFields`).
    static func secure(
        _ response: Response, styleNonce: String, theme: CheckoutTheme, frameAncestors: [String], cardFields: ProviderCardFields? = nil
    ) {
        let imageHosts = Set([theme.logoURL, theme.faviconURL].compactMap { $0.flatMap(origin(of:)) }).sorted()
        let ancestors = frameAncestors.isEmpty ? "'none'" : frameAncestors.joined(separator: " ")
        let sources = { (own: [String], provider: [String]) in (own + provider).joined(separator: " ") }
        var directives = [
            "default-src 'none'", "script-src " + sources(["'self'"], cardFields?.scriptSources ?? []),
            "style-src 'self' 'nonce-\(styleNonce)'",
            "img-src " + (["'self'", "data:"] + imageHosts).joined(separator: " "),
            "connect-src " + sources(["'self'"], cardFields?.connectSources ?? []), "base-uri 'none'",
            "frame-ancestors \(ancestors)",
        ]
        if let frames = cardFields?.frameSources, !frames.isEmpty { directives.append("frame-src " + frames.joined(separator: " ")) }
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: directives.joined(separator: "; "))
        if frameAncestors.isEmpty { response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY") }
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
    }

    /// `https://host[:port]` of an https URL (theme URLs are validated as such).
    static func origin(of url: String) -> String? {
        guard let components = URLComponents(string: url), components.scheme == "https", let host = components.host, !host.isEmpty,
              host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" })
        else { return nil }
        return "https://\(host)" + (components.port.map { ":\($0)" } ?? "")
    }
}

/// Rate limits of the checkout pages: per client address (before anything is read), then per session (only for a
/// session that exists, so made-up ids make no buckets).
enum CheckoutPageLimits {
    static func takeForAddress(_ request: Request) async throws {
        let address = request.remoteAddress?.ipAddress ?? "unknown"
        try await take("checkout-address:\(address)", perSecond: request.payhub.config.checkoutPageRequestsPerSecond, request)
    }

    static func takeForSession(_ id: CheckoutSessionID, _ request: Request) async throws {
        try await take("checkout-session:\(id.rawValue)", perSecond: request.payhub.config.checkoutPageRequestsPerSecond / 2, request)
    }

    private static func take(_ bucket: String, perSecond: Double, _ request: Request) async throws {
        let context = request.payhub
        if let wait = try await context.rateLimiter.take(
            bucket, perSecond: perSecond, burst: max(10, perSecond * 4), now: context.clock.now(), on: request.db) {
            throw ServiceError(
                kind: .rateLimited, code: "rate_limited", message: "Too many requests; retry after \(wait) second(s).", retryAfter: wait)
        }
    }
}

/// The checkout's stylesheet and script: files of the repository, served as they are.
enum CheckoutAssets {
    private static let files: [CheckoutAsset: Data] = Dictionary(uniqueKeysWithValues: CheckoutAsset.allCases.compactMap { asset in
        let url = Bundle.module.bundleURL.appendingPathComponent("Resources/Checkout/\(asset.rawValue)")
        return (try? Data(contentsOf: url)).map { (asset, $0) }
    })

    static func response(_ asset: CheckoutAsset, request: Request) throws -> Response {
        guard let data = files[asset] else { throw Abort(.notFound) }
        let response = Response(status: .ok, body: .init(data: data))
        response.headers.contentType = asset.contentType
        response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=300")
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        return response
    }
}
