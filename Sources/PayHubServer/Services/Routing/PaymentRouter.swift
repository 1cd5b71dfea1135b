import FluentKit
import Foundation
import PayHubConnectors
import PayHubCore

/// What an attempt needs from a provider account.
struct RouteRequest: Sendable {
    /// The provider the client named, if any.
    var provider: String?
    var methodType: String
    var currency: Currency
    /// Whose accounts, in which mode.
    var scope: TenantScope
}

/// One provider account that can take an attempt, with its connector.
struct RouteCandidate: Sendable {
    var account: ProviderAccountRecord
    var connector: any PaymentConnector
}

/// Chooses the provider accounts for an attempt, best first: the one seam where routing rules and failover
/// will be added. Today: the accounts of the named provider, or the only provider that takes this method and
/// currency (several such providers need the client to name one).
struct PaymentRouter: Sendable {
    let context: PayHubContext
    let db: any Database

    func candidates(for request: RouteRequest) async throws -> [RouteCandidate] {
        let livemode = request.scope.livemode
        let accounts = try await ProviderAccountRepository().enabled(
            in: request.scope, provider: request.provider, on: context.transactor.reader(db))
        let candidates = accounts.compactMap { account -> RouteCandidate? in
            guard let connector = context.connectors[account.provider], !livemode || connector.capabilities.liveMode,
                  connector.capabilities.supports(method: request.methodType, currency: request.currency) else { return nil }
            return RouteCandidate(account: account, connector: connector)
        }
        let mode = livemode ? "live" : "test"
        guard !candidates.isEmpty else {
            if let provider = request.provider {
                throw ServiceError.invalid(
                    "provider_unavailable",
                    "No \(mode) account with provider '\(provider)' accepts \(request.methodType) in \(request.currency.code).",
                    param: "provider")
            }
            throw ServiceError.invalid(
                "provider_unavailable", "No \(mode) provider account accepts \(request.methodType) in \(request.currency.code).",
                param: "payment_method.type")
        }
        let providers = Set(candidates.map(\.account.provider))
        if request.provider == nil, providers.count > 1 {
            throw ServiceError.invalid(
                "provider_required",
                "Several providers accept \(request.methodType): name one of \(providers.sorted().joined(separator: ", ")).",
                param: "provider")
        }
        return candidates
    }
}
