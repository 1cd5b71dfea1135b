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
            principal = try await auth.authenticate(
                bearer: request.headers.bearerAuthorization?.token, context: context, db: context.transactor.reader(request.db))
        } catch let error as ServiceError where (error.kind == .unauthenticated || error.kind == .forbidden)
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
            guard let principal = storage[PrincipalKey.self] else { throw ServiceError.unauthenticated }
            return principal
        }
    }
}
