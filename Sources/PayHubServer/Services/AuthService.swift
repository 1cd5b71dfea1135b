import Foundation
import NIOConcurrencyHelpers
import PayHubCore
import SQLKit

/// Who is calling: a merchant in one mode, with the secret key or with one intent's client token.
struct Principal: Sendable, Equatable {
    enum Credential: Sendable, Equatable {
        case secretKey(keyID: APIKeyID, requestsPerSecond: Int)
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

/// Resolves a bearer credential to a principal. Valid keys are looked up by digest and cached briefly; unknown
/// ones are not cached, so random keys can neither fill the cache nor push valid keys out of it.
final class AuthService: Sendable {
    private struct CachedKey {
        var principal: Principal
        var expires: Date
    }

    static let publishableKeyRefused = ServiceError.forbidden(
        "secret_key_required", "Publishable keys cannot call this API; use the secret key on your server.")
    static let clientTokenInvalid = ServiceError(
        kind: .unauthenticated, code: "client_token_invalid", message: "The client token is invalid or has expired.")

    /// How many valid keys the cache holds at most.
    let cacheCapacity: Int
    private let cache = NIOLockedValueBox<[String: CachedKey]>([:])
    private let cacheLifetime: TimeInterval = 10
    private let merchants = MerchantRepository()

    init(cacheCapacity: Int = 10_000) {
        self.cacheCapacity = cacheCapacity
    }

    /// How many keys are cached now (for tests).
    var cachedKeys: Int { cache.withLockedValue { $0.count } }

    func isCached(_ bearer: String) -> Bool {
        cache.withLockedValue { $0[KeyDigest.hex(bearer)] != nil }
    }

    /// The principal of `bearer` (an API key or a client token); `db` is where keys are looked up.
    func authenticate(bearer: String?, context: PayHubContext, db: any SQLDatabase) async throws -> Principal {
        guard let bearer, !bearer.isEmpty, bearer.count <= 4096 else { throw ServiceError.unauthenticated }
        let now = context.clock.now()
        if bearer.hasPrefix("sk_") || bearer.hasPrefix("pk_") {
            let digest = KeyDigest.hex(bearer)
            let principal: Principal?
            if let cached = cache.withLockedValue({ $0[digest] }), cached.expires > now {
                principal = cached.principal
            } else {
                principal = try await lookUp(digest: digest, db: db, defaultRate: context.config.apiRequestsPerSecond)
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
                throw bearer.hasPrefix("pk_") ? Self.publishableKeyRefused : ServiceError.unauthenticated
            }
            return principal
        }
        guard let claims = await context.clientTokens.verify(bearer, now: now) else { throw Self.clientTokenInvalid }
        return Principal(merchantID: claims.mer, livemode: claims.live, credential: .clientToken(paymentIntentID: claims.sub))
    }

    /// Drops expired entries; if none expired, the one closest to expiring. Never the whole cache.
    private static func makeRoom(in cache: inout [String: CachedKey], now: Date) {
        let before = cache.count
        cache = cache.filter { $0.value.expires > now }
        guard cache.count == before, let oldest = cache.min(by: { $0.value.expires < $1.value.expires }) else { return }
        cache[oldest.key] = nil
    }

    private func lookUp(digest: String, db: any SQLDatabase, defaultRate: Int) async throws -> Principal? {
        guard let key = try await merchants.key(digest: digest, for: .authentication, on: db), key.revokedAt == nil, key.kind == .secret
        else { return nil }
        return Principal(
            merchantID: key.scope.merchantID, livemode: key.scope.livemode,
            credential: .secretKey(keyID: key.id, requestsPerSecond: key.rateLimitPerSecond ?? defaultRate))
    }
}
