import PayHubCore
import Vapor

/// Authenticates `/v1` requests and applies rate limits: per API key, per payment intent for client tokens, and
/// per client address for failed authentications (so keys cannot be guessed at speed).
struct PrincipalMiddleware: AsyncMiddleware {
    /// Failed authentications come back at this rate, after a burst of `PAYHUB_AUTH_FAILURE_LIMIT`.
    static let failuresPerSecond = 1.0

    let auth: AuthService

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let context = request.payhub
        let principal: Principal
        do {
            principal = try await auth.authenticate(request)
        } catch let error as APIError where (error.status == .unauthorized || error.status == .forbidden)
            && request.headers.bearerAuthorization != nil {
            // A credential was presented and was wrong: a guess. (No credential at all guesses nothing.)
            let address = request.remoteAddress?.ipAddress ?? "unknown"
            if let wait = try await context.rateLimiter.take(
                "auth-failures:\(address)", perSecond: Self.failuresPerSecond, burst: Double(context.config.authFailureBurst),
                now: context.clock.now(), on: request.db) {
                throw APIError(
                    status: .tooManyRequests, kind: .rateLimit, code: "authentication_rate_limited",
                    message: "Too many failed authentications from this address; retry after \(wait) second(s).", retryAfter: wait)
            }
            throw error
        }
        let now = context.clock.now()
        let wait: Int?
        switch principal.credential {
        case .secretKey(let keyID, let perSecond):
            wait = try await context.rateLimiter.take(
                "key:\(keyID)", perSecond: Double(perSecond), burst: Double(perSecond) * 2, now: now, on: request.db)
        case .clientToken(let intentID):
            let rate = context.config.clientPollsPerSecond
            wait = try await context.rateLimiter.take(
                "intent:\(intentID)", perSecond: rate, burst: max(5, rate * 2), now: now, on: request.db)
        }
        if let wait {
            throw APIError(
                status: .tooManyRequests, kind: .rateLimit, code: "rate_limited",
                message: "Too many requests; retry after \(wait) second(s). Webhooks avoid polling altogether.", retryAfter: wait)
        }
        request.storage[PrincipalKey.self] = principal
        return try await next.respond(to: request)
    }
}

private struct PrincipalKey: StorageKey {
    typealias Value = Principal
}

extension Request {
    var principal: Principal {
        get throws {
            guard let principal = storage[PrincipalKey.self] else { throw APIError.unauthenticated }
            return principal
        }
    }

    /// Runs a POST under its `Idempotency-Key`, if it has one.
    func idempotent(_ operation: @escaping @Sendable () async throws -> Response) async throws -> Response {
        try await IdempotencyService(context: payhub, db: db).respond(to: self, principal: try principal, operation)
    }
}

/// Refuses any request whose body or query carries what looks like a raw card number. Card data never enters
/// PayHub: it is not stored, and the request is not logged with it.
struct CardDataGuardMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // A body that arrives in several reads is streamed, not collected: collect it first, so that it is scanned
        // (and sized) like any other. Provider webhooks may be larger.
        let limit = request.url.path.hasPrefix("/v1/providers/") ? BodyLimit.providerWebhookBytes : BodyLimit.bytes
        if request.body.data == nil {
            _ = try await request.body.collect(max: limit).get()
        } else if let length = request.body.data?.readableBytes, length > limit {
            throw Abort(.payloadTooLarge)
        }
        let query = request.url.query?.removingPercentEncoding ?? request.url.query ?? ""
        let body = String(decoding: request.bodyBytes, as: UTF8.self)
        if CardNumberDetector.containsCardNumber(query) || CardNumberDetector.containsCardNumber(body)
            || CardNumberDetector.containsCardNumber(request.url.path) {
            throw APIError.invalid(
                "card_data_not_allowed",
                "The request carries what looks like a card number. PayHub never accepts card data: tokenise the card with the provider and send its token.")
        }
        return try await next.respond(to: request)
    }
}

/// The largest request body the API accepts (provider webhooks excepted).
enum BodyLimit {
    static let bytes = 64 * 1024
    static let providerWebhookBytes = 256 * 1024
}

/// Counts requests by route and status and times them, for `/metrics`.
struct MetricsMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let started = ContinuousClock.now
        let response: Response
        do {
            response = try await next.respond(to: request)
        } catch {
            response = APIErrorMiddleware.response(for: error, request: request)
        }
        let route = request.route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? "unmatched"
        request.payhub.metrics.request(
            route: route, method: request.method.rawValue, status: response.status.code, duration: ContinuousClock.now - started)
        return response
    }
}

extension Encodable {
    /// This value as an API JSON response.
    func response(_ status: HTTPResponseStatus = .ok) throws -> Response {
        let response = Response(status: status)
        response.headers.contentType = .json
        response.body = .init(data: try APIJSON.encoder.encode(self))
        return response
    }
}
