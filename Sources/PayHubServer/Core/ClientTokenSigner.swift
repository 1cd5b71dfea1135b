import Crypto
import Foundation
import JWTKit

/// Short-lived JWTs scoped to one payment intent (HUB2's `token`), so a browser or app can attempt a payment
/// without the merchant's secret key. Expiry is checked against the injected clock.
struct ClientTokenSigner: Sendable {
    struct Claims: JWTPayload {
        var sub: String
        var mer: String
        var live: Bool
        var exp: Int64
        var iat: Int64

        func verify(using _: some JWTAlgorithm) async throws {}
    }

    let lifetime: TimeInterval
    /// The key collection, once its key is added (`JWTKeyCollection` is an actor).
    private let ready: Task<JWTKeyCollection, Never>

    init(masterKey: SymmetricKey, lifetime: TimeInterval) {
        let key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: masterKey, info: Data("payhub client tokens v1".utf8), outputByteCount: 32)
        self.lifetime = lifetime
        let hmac = HMACKey(key: key)
        ready = Task { await JWTKeyCollection().add(hmac: hmac, digestAlgorithm: .sha256) }
    }

    func sign(intentID: String, merchantID: String, livemode: Bool, now: Date) async throws -> String {
        let issued = Int64(now.timeIntervalSince1970)
        let claims = Claims(sub: intentID, mer: merchantID, live: livemode, exp: issued + Int64(lifetime), iat: issued)
        return try await ready.value.sign(claims)
    }

    /// The claims of a valid, unexpired token; nil otherwise.
    func verify(_ token: String, now: Date) async -> Claims? {
        guard let claims = try? await ready.value.verify(token, as: Claims.self) else { return nil }
        guard Double(claims.exp) > now.timeIntervalSince1970 else { return nil }
        return claims
    }
}
