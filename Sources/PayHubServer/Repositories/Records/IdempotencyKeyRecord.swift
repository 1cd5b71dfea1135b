import Foundation
import PayHubCore

enum IdempotencyKeyKind: IdentifierKind { static let prefix = "idk" }
typealias IdempotencyKeyID = Identifier<IdempotencyKeyKind>

enum IdempotencyKeyState: String, Sendable {
    case inProgress = "in_progress"
    case completed
}

/// A client's `Idempotency-Key`: the request it first came with and, once done, the response to replay.
struct IdempotencyKeyRecord: Sendable, Equatable {
    /// A finished request's answer: its status and body, the body sealed with the master key (it may carry secrets).
    struct StoredResponse: Sendable, Equatable {
        var status: Int
        var body: String
    }

    var id: IdempotencyKeyID
    var scope: TenantScope
    /// `secret_key`, or `client_token:<intent id>` (`IdempotencyScope`).
    var credentialScope: String
    var key: String
    /// SHA-256 of method, path and body: the same key with other parameters is refused.
    var fingerprint: String
    var state: IdempotencyKeyState
    var response: StoredResponse?
    var lockedAt: Date
    var createdAt: Date
    var expiresAt: Date
}
