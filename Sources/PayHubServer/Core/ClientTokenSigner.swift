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

    private let keys: JWTKeyCollection
    let lifetime: TimeInterval

    init(masterKey: SymmetricKey, lifetime: TimeInterval) {
        let key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: masterKey, info: Data("payhub client tokens v1".utf8), outputByteCount: 32)
        keys = JWTKeyCollection()
        self.lifetime = lifetime
        let collection = keys
        let hmac = HMACKey(key: key)
        self.ready = Task { await collection.add(hmac: hmac, digestAlgorithm: .sha256) }
    }

    private let ready: Task<JWTKeyCollection, Never>

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
