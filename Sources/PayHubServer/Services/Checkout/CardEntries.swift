import FluentKit
import PayHubConnectors
import PayHubCore

/// How the customer's browser takes a card for the account the router would pay it with: on the provider's own
/// page (an attempt without a token: `hostedCardPage`), in the provider's script on PayHub's or the shop's page
/// (`cardFields`, e.g. Stripe.js), or not at all (the account lacks what the script needs, such as a publishable key).
enum CardEntry: Sendable, Equatable {
    case providersPage
    case providersScript(provider: String, fields: ProviderCardFields)
    case unavailable
}

struct CardEntries: Sendable {
    let context: PayHubContext
    let db: any Database

    /// The card entry of the first account that can take a card in `currency` (of `provider`, when one is named).
    func entry(provider: String?, currency: Currency, in scope: TenantScope) async throws -> CardEntry {
        let routes = try await PaymentRouter(context: context, db: db).candidates(
            for: RouteRequest(provider: provider, methodType: "card", currency: currency, scope: scope))
        guard let route = routes.first else { return .unavailable }
        if route.connector.capabilities.hostedCardPage { return .providersPage }
        guard let fields = try route.connector.cardFields(context: try context.connectorContext(for: route.account)) else {
            return .unavailable
        }
        return .providersScript(provider: route.connector.name, fields: fields)
    }
}
