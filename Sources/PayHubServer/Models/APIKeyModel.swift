import Fluent
import Foundation

/// An API key. Only its SHA-256 digest is stored; the key itself is shown once, when created.
final class APIKeyModel: Model, @unchecked Sendable {
    static let schema = "api_keys"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "merchant_id") var merchantID: String
    @Field(key: "livemode") var livemode: Bool
    /// `secret` or `publishable`.
    @Field(key: "kind") var kind: String
    @Field(key: "key_digest") var keyDigest: String
    /// e.g. `sk_test_...9f3a`, for display.
    @Field(key: "redacted") var redacted: String
    @OptionalField(key: "rate_limit_per_second") var rateLimitPerSecond: Int?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}

    init(id: String, merchantID: String, livemode: Bool, kind: String, keyDigest: String, redacted: String, createdAt: Date) {
        self.id = id
        self.merchantID = merchantID
        self.livemode = livemode
        self.kind = kind
        self.keyDigest = keyDigest
        self.redacted = redacted
        self.createdAt = createdAt
    }
}
