import Foundation
import PayHubCore
import Vapor

/// CORS for the API, the whole policy in one place. Browsers may read `/v1` answers only on a merchant's allowed
/// embedding origins (`/v1/checkout_settings`), and only for client tokens (`payhub.js`):
///
/// - A preflight carries no credential: on the routes a client token can call it allows the methods and the
///   `Authorization`, `Content-Type` and `Idempotency-Key` headers, and echoes the origin only if some merchant
///   allows it. Other `/v1` routes get no CORS headers.
/// - A request with a client token from an origin that the token's merchant (in its mode) does not allow is refused
///   (403 `origin_not_allowed`) before anything runs, so a foreign page cannot act even holding a token; from an
///   allowed origin its answer (errors too) carries `Access-Control-Allow-Origin`.
/// - A secret or publishable key sent by a browser from another origin is refused (403 `secret_key_in_browser`):
///   browsers always send `Origin` across origins, servers do not, so such a key has leaked into a page.
/// - PayHub's own origin (`PAYHUB_PUBLIC_URL`) is same-origin: nothing is added or refused.
///
/// It runs before routing (preflights match no route), so it is app middleware, outside `APIErrorMiddleware`: its
/// refusals are rendered here.
struct ClientCORSMiddleware: AsyncMiddleware {
    static let allowedHeaders = "Authorization, Content-Type, Idempotency-Key"
    static let exposedHeaders = "Retry-After, Idempotent-Replayed"
    static let preflightMaxAge = "600"

    /// The paths a client token can call (`*` is one path segment) and their methods.
    static let clientRoutes: [(path: [String], methods: String)] = [
        (["v1", "payment_intents", "*"], "GET"),
        (["v1", "payment_intents", "*", "payment_methods"], "GET"),
        (["v1", "payment_intents", "*", "payments"], "POST"),
        (["v1", "payment_intents", "*", "payments", "*", "authenticate"], "POST"),
    ]

    static let originNotAllowed = ServiceError.forbidden(
        "origin_not_allowed", "This page's origin is not in the merchant's allowed_origins (POST /v1/checkout_settings).")
    static let secretKeyInBrowser = ServiceError.forbidden(
        "secret_key_in_browser",
        "Secret keys must stay on your server. In a browser, use the payment intent's client_token (payhub.js).")

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.url.path.hasPrefix("/v1/"), let header = request.headers.first(name: .origin) else {
            return try await next.respond(to: request)
        }
        let origin = try? EmbeddingOrigin(parsing: header, livemode: false).description
        if origin != nil, origin == Self.ownOrigin(request.payhub.config.publicBaseURL) {
            return try await next.respond(to: request)
        }
        if request.method == .OPTIONS, request.headers.first(name: .accessControlRequestMethod) != nil {
            return try await preflight(request, origin: origin)
        }
        if request.url.path == "/v1/openapi.json" {
            let response = try await next.respond(to: request)
            response.headers.replaceOrAdd(name: .accessControlAllowOrigin, value: "*")
            return response
        }
        return try await actual(request, origin: origin, next: next)
    }

    private func preflight(_ request: Request, origin: String?) async throws -> Response {
        let response = Response(status: .noContent)
        response.headers.replaceOrAdd(name: .vary, value: "Origin")
        guard let methods = Self.methods(forPath: request.url.path), let origin,
              try await OriginPolicy(request).allowedAnywhere(origin)
        else { return response }
        response.headers.replaceOrAdd(name: .accessControlAllowOrigin, value: origin)
        response.headers.replaceOrAdd(name: .accessControlAllowMethods, value: methods)
        response.headers.replaceOrAdd(name: .accessControlAllowHeaders, value: Self.allowedHeaders)
        response.headers.replaceOrAdd(name: .accessControlMaxAge, value: Self.preflightMaxAge)
        return response
    }

    private func actual(_ request: Request, origin: String?, next: any AsyncResponder) async throws -> Response {
        let policy = OriginPolicy(request)
        let allowed: Bool
        switch await policy.credential() {
        case .key:
            return APIErrorMiddleware.response(for: Self.secretKeyInBrowser, request: request)
        case .clientToken(let scope):
            guard let origin, try await policy.allowed(origin, in: scope) else {
                return APIErrorMiddleware.response(for: Self.originNotAllowed, request: request)
            }
            allowed = true
        case .unknown:
            // No credential, or an invalid or expired token: a page on an allowed origin may read why.
            if let origin { allowed = try await policy.allowedAnywhere(origin) } else { allowed = false }
        }
        let response = try await next.respond(to: request)
        response.headers.replaceOrAdd(name: .vary, value: "Origin")
        if allowed, let origin {
            response.headers.replaceOrAdd(name: .accessControlAllowOrigin, value: origin)
            response.headers.replaceOrAdd(name: "Access-Control-Expose-Headers", value: Self.exposedHeaders)
        }
        return response
    }

    /// The methods a client token may use on `path`, as `Access-Control-Allow-Methods` lists them; nil off those routes.
    static func methods(forPath path: String) -> String? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        let methods = clientRoutes.filter { route in
            route.path.count == segments.count && zip(route.path, segments).allSatisfy { $0 == "*" ? !$1.isEmpty : $0 == $1 }
        }.map(\.methods)
        return methods.isEmpty ? nil : methods.joined(separator: ", ")
    }

    /// The origin of PayHub's public URL, normalised like any origin.
    static func ownOrigin(_ publicBaseURL: String) -> String? {
        guard let url = URLComponents(string: publicBaseURL), let scheme = url.scheme, let host = url.host else { return nil }
        return try? EmbeddingOrigin(parsing: "\(scheme)://\(host)\(url.port.map { ":\($0)" } ?? "")", livemode: false).description
    }
}

/// The look-ups behind the CORS decisions: which credential a request carries, and whose origins allow it.
private struct OriginPolicy {
    enum Credential {
        case key
        case clientToken(TenantScope)
        case unknown
    }

    let request: Request
    private let settings = CheckoutSettingsRepository()

    init(_ request: Request) {
        self.request = request
    }

    /// Client tokens are verified here (a signature, no database); keys are recognised by their prefix.
    func credential() async -> Credential {
        guard let bearer = request.headers.bearerAuthorization?.token, !bearer.isEmpty, bearer.count <= 4096 else { return .unknown }
        if bearer.hasPrefix("sk_") || bearer.hasPrefix("pk_") { return .key }
        let context = request.payhub
        guard let claims = await context.clientTokens.verify(bearer, now: context.clock.now()) else { return .unknown }
        return .clientToken(TenantScope(merchantID: claims.mer, livemode: claims.live))
    }

    func allowed(_ origin: String, in scope: TenantScope) async throws -> Bool {
        try await settings.allows(origin, in: scope, on: request.payhub.transactor.reader(request.db))
    }

    func allowedAnywhere(_ origin: String) async throws -> Bool {
        try await settings.allowsAnywhere(origin, for: .corsPreflight, on: request.payhub.transactor.reader(request.db))
    }
}
