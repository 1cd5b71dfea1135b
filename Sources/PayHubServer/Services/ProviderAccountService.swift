import FluentKit
import Foundation
import PayHubConnectors
import PayHubCore

/// A provider account as shown to operators: never its credentials.
public struct ProviderAccountSummary: Codable, Sendable {
    public var id: String
    public var merchant: String
    public var provider: String
    public var name: String
    public var livemode: Bool
    public var webhookURL: String

    enum CodingKeys: String, CodingKey {
        case id, merchant, provider, name, livemode
        case webhookURL = "webhook_url"
    }
}

/// Per-merchant provider accounts: credentials sealed at rest, and the choice of account for an attempt.
public struct ProviderAccountService: Sendable {
    let context: PayHubContext
    let db: any Database

    public init(context: PayHubContext, db: any Database) {
        self.context = context
        self.db = db
    }

    public func add(
        merchantID: String, provider: String, livemode: Bool, name: String?, credentials: [String: String]
    ) async throws -> ProviderAccountSummary {
        guard let connector = context.connectors[provider] else {
            throw ServiceError.invalid("provider_unknown", "Unknown provider '\(provider)'; known: \(context.connectors.names.joined(separator: ", ")).", param: "provider")
        }
        guard try await MerchantService(context: context, db: db).exists(merchantID) else { throw ServiceError.notFound("merchant", id: merchantID) }
        guard !livemode || connector.capabilities.liveMode else {
            throw ServiceError.invalid(
                "provider_test_only", "The \(provider) provider moves no real money: it can back test-mode accounts only.", param: "mode")
        }
        do {
            try connector.validateCredentials(ProviderCredentials(credentials))
        } catch let error as ConnectorError {
            throw ServiceError.invalid("provider_credentials_invalid", error.description, param: "credentials")
        }
        let account = ProviderAccountRecord(
            id: context.ids.make(), scope: TenantScope(merchantID: merchantID, livemode: livemode), provider: provider,
            name: name ?? provider, credentials: SealedCredentials(sealed: try context.secrets.seal(JSONText.encode(credentials))),
            createdAt: context.clock.now(), disabledAt: nil)
        try await context.transactor.writeSQL(on: db) { tx in try await ProviderAccountRepository().insert(account, on: tx) }
        return summary(account)
    }

    func summary(_ account: ProviderAccountRecord) -> ProviderAccountSummary {
        ProviderAccountSummary(
            id: account.id.rawValue, merchant: account.scope.merchantID, provider: account.provider, name: account.name,
            livemode: account.scope.livemode,
            webhookURL: "\(context.config.publicBaseURL)/v1/providers/\(account.provider)/webhooks/\(account.id)")
    }
}
