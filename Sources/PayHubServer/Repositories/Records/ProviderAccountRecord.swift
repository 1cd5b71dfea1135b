import Foundation
import PayHubCore

/// A merchant's account with a provider. Its credentials stay sealed until `PayHubContext.connectorContext(for:)`.
struct ProviderAccountRecord: Sendable, Equatable {
    let id: ProviderAccountID
    let scope: TenantScope
    let provider: String
    let name: String
    let credentials: SealedCredentials
    let createdAt: Date
    let disabledAt: Date?
}

/// Credentials sealed with AES-GCM under the master key, as stored.
struct SealedCredentials: Sendable, Equatable {
    let sealed: String
}
