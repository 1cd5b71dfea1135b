import PayHubCore
import Vapor

/// Authenticates `/v1` requests and applies rate limits: per API key, and per payment intent for client tokens.
struct PrincipalMiddleware: AsyncMiddleware {
    let auth: AuthService

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let principal = try await auth.authenticate(request)
        let context = request.payhub
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
