import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Who is calling: a merchant in one mode, with the secret key or with one intent's client token.
struct Principal: Sendable, Equatable {
    enum Credential: Sendable, Equatable {
        case secretKey(keyID: String, requestsPerSecond: Int)
        case clientToken(paymentIntentID: String)
    }

    var merchantID: String
    var livemode: Bool
    var credential: Credential

    var isSecretKey: Bool {
        if case .secretKey = credential { return true }
        return false
    }

    /// Client tokens reach only their own intent.
    func mayAccess(paymentIntent id: String) -> Bool {
        switch credential {
        case .secretKey: true
        case .clientToken(let intentID): intentID == id
        }
    }
}

/// Resolves `Authorization: Bearer ...` to a principal. Valid keys are looked up by digest and cached briefly;
/// unknown ones are not cached, so random keys can neither fill the cache nor push valid keys out of it.
final class AuthService: Sendable {
    private struct CachedKey {
        var principal: Principal
        var expires: Date
    }

    /// How many valid keys the cache holds at most.
    let cacheCapacity: Int
    private let cache = NIOLockedValueBox<[String: CachedKey]>([:])
    private let cacheLifetime: TimeInterval = 10

    init(cacheCapacity: Int = 10_000) {
        self.cacheCapacity = cacheCapacity
    }

    /// How many keys are cached now (for tests).
    var cachedKeys: Int { cache.withLockedValue { $0.count } }

    func isCached(_ bearer: String) -> Bool {
        cache.withLockedValue { $0[KeyDigest.hex(bearer)] != nil }
    }

    func authenticate(_ request: Request) async throws -> Principal {
        guard let bearer = request.headers.bearerAuthorization?.token, !bearer.isEmpty, bearer.count <= 4096 else {
            throw APIError.unauthenticated
        }
        let context = request.payhub
        let now = context.clock.now()
        if bearer.hasPrefix("sk_") || bearer.hasPrefix("pk_") {
            let digest = KeyDigest.hex(bearer)
            let principal: Principal?
            if let cached = cache.withLockedValue({ $0[digest] }), cached.expires > now {
                principal = cached.principal
            } else {
                principal = try await lookUp(digest: digest, db: request.db, defaultRate: context.config.apiRequestsPerSecond)
                cache.withLockedValue { cache in
                    guard let principal else {
                        cache[digest] = nil
                        return
                    }
                    if cache[digest] == nil, cache.count >= cacheCapacity { Self.makeRoom(in: &cache, now: now) }
                    cache[digest] = CachedKey(principal: principal, expires: now.addingTimeInterval(cacheLifetime))
                }
            }
            guard let principal else {
                if bearer.hasPrefix("pk_") {
                    throw APIError(
                        status: .forbidden, kind: .permission, code: "secret_key_required",
                        message: "Publishable keys cannot call this API; use the secret key on your server.")
                }
                throw APIError.unauthenticated
            }
            return principal
        }
        guard let claims = await context.clientTokens.verify(bearer, now: now) else {
            throw APIError(
                status: .unauthorized, kind: .authentication, code: "client_token_invalid",
                message: "The client token is invalid or has expired.")
        }
        return Principal(merchantID: claims.mer, livemode: claims.live, credential: .clientToken(paymentIntentID: claims.sub))
    }

    /// Drops expired entries; if none expired, the one closest to expiring. Never the whole cache.
    private static func makeRoom(in cache: inout [String: CachedKey], now: Date) {
        let before = cache.count
        cache = cache.filter { $0.value.expires > now }
        guard cache.count == before, let oldest = cache.min(by: { $0.value.expires < $1.value.expires }) else { return }
        cache[oldest.key] = nil
    }

    private func lookUp(digest: String, db: any Database, defaultRate: Int) async throws -> Principal? {
        guard let key = try await APIKeyModel.query(on: db).filter(\.$keyDigest == digest).first(),
              key.revokedAt == nil, key.kind == "secret"
        else { return nil }
        return Principal(
            merchantID: key.merchantID, livemode: key.livemode,
            credential: .secretKey(keyID: key.id ?? "", requestsPerSecond: key.rateLimitPerSecond ?? defaultRate))
    }
}
