import PayHubConnectors
import PayHubCore
import SQLKit

/// What the merchant's enabled provider accounts offer, in the terms of the checkout rules: one capability per
/// account and method its connector declares (`ConnectorCapabilities.methods` and `currencies`), for the accounts
/// that may take payments in the scope's mode. Connectors declare no amount limits yet.
struct OfferedMethods: Sendable {
    let context: PayHubContext

    func capabilities(in scope: TenantScope, on db: any SQLDatabase) async throws -> [MethodCapability] {
        let accounts = try await ProviderAccountRepository().enabled(in: scope, provider: nil, on: db)
        var capabilities: [MethodCapability] = []
        for account in accounts {
            guard let connector = context.connectors[account.provider], !scope.livemode || connector.capabilities.liveMode else { continue }
            let declared = connector.capabilities
            let currencies = declared.currencies.map { Set($0.compactMap { try? Currency(code: $0) }) }
            for method in declared.methods.sorted() {
                guard let type = PaymentMethodType(rawValue: method) else { continue }
                let capability = MethodCapability(paymentMethod: type, provider: account.provider, currencies: currencies)
                if !capabilities.contains(capability) { capabilities.append(capability) }
            }
        }
        return capabilities
    }

    /// The providers whose cards the hosted checkout can take: those with a card page of their own
    /// (`hostedCardPage`), and those whose cards are entered in their script on PayHub's page when the account the
    /// router takes first has what that script needs (`cardFields`, e.g. a Stripe publishable key).
    func cardEntryProviders(in scope: TenantScope, on db: any SQLDatabase) async throws -> Set<String> {
        var providers: Set<String> = []
        for account in try await ProviderAccountRepository().enabled(in: scope, provider: nil, on: db) where !providers.contains(account.provider) {
            guard let connector = context.connectors[account.provider], connector.capabilities.methods.contains("card") else { continue }
            if connector.capabilities.hostedCardPage {
                providers.insert(account.provider)
            } else if try await firstAccountHasCardFields(account.provider, connector: connector, in: scope, on: db) {
                providers.insert(account.provider)
            }
        }
        return providers
    }

    private func firstAccountHasCardFields(
        _ provider: String, connector: any PaymentConnector, in scope: TenantScope, on db: any SQLDatabase
    ) async throws -> Bool {
        guard let first = try await ProviderAccountRepository().enabled(in: scope, provider: provider, on: db).first else { return false }
        return (try? connector.cardFields(context: try context.connectorContext(for: first))) != nil
    }
}
