import Fluent
import Foundation

/// The Fluent row of `idempotency_keys`, for tests that look at what was stored (the server reads it through
/// `IdempotencyRepository` only).
final class IdempotencyKeyModel: Model, @unchecked Sendable {
    static let schema = "idempotency_keys"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "merchant_id") var merchantID: String
    @Field(key: "livemode") var livemode: Bool
    /// `secret_key`, or `client_token:<intent id>` (`IdempotencyScope`).
    @Field(key: "credential_scope") var credentialScope: String
    @Field(key: "key") var key: String
    /// SHA-256 of method, path and body: the same key with other parameters is refused.
    @Field(key: "fingerprint") var fingerprint: String
    /// `in_progress` or `completed`.
    @Field(key: "state") var state: String
    @OptionalField(key: "response_status") var responseStatus: Int?
    /// Sealed with the master key (`SecretBox`): it may carry secrets.
    @OptionalField(key: "response_body") var responseBody: String?
    @Field(key: "locked_at") var lockedAt: Date
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date

    init() {}
}
