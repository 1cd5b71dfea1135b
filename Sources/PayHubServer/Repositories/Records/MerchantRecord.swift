import Foundation
import PayHubCore

/// A merchant: the tenant that every other record belongs to, in test and live mode.
struct MerchantRecord: Sendable, Equatable {
    var id: MerchantID
    var name: String
    var createdAt: Date
}

/// An API key as stored: its SHA-256 digest, never the key, which is shown once when created.
struct APIKeyRecord: Sendable, Equatable {
    enum Kind: String, Sendable {
        case secret
        case publishable
    }

    var id: APIKeyID
    var scope: TenantScope
    var kind: Kind
    /// `KeyDigest.hex` of the key.
    var digest: String
    /// e.g. `sk_test_...9f3a`, for display.
    var redacted: String
    /// Nil: the configured default (`PAYHUB_API_RATE_LIMIT`).
    var rateLimitPerSecond: Int?
    var createdAt: Date
    var revokedAt: Date?
}
