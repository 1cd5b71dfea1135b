import FluentKit
import Foundation
import Logging
import PayHubConnectors
import PayHubCore

/// Webhooks providers send to `/v1/providers/{provider}/webhooks/{account}`. Verified by the connector with the
/// account's secret; one that fails verification changes nothing and is logged.
struct ProviderWebhookService: Sendable {
    let context: PayHubContext
    let db: any Database
    let logger: Logger

    enum Outcome: String {
        case applied, ignored, unknownObject = "unknown_object"
    }

    func handle(provider: String, accountID: String, webhook: IncomingWebhook) async throws -> Outcome {
        let reader = context.transactor.reader(db)
        // The URL names only the account: the account gives the scope everything else is looked up in.
        guard let connector = context.connectors[provider], let id = ProviderAccountID(validating: accountID),
              let account = try await ProviderAccountRepository().accountAcrossTenants(id, on: reader), account.provider == provider
        else {
            throw ServiceError.notFound("provider_account", id: accountID, param: "account")
        }
        let event: ProviderWebhookEvent
        do {
            event = try connector.parseWebhook(webhook, context: try context.connectorContext(for: account))
        } catch let error as ConnectorError {
            context.metrics.providerWebhook(provider: provider, outcome: "rejected")
            logger.warning(
                "provider webhook rejected", metadata: ["provider": "\(provider)", "account": "\(accountID)", "why": "\(error)"])
            throw ServiceError.invalid("webhook_invalid", "The webhook could not be verified.")
        }
        let payments = PaymentRepository()
        let outcome: Outcome
        switch event {
        case .payment(let reference, let result):
            if let attempt = try await payments.attempt(providerReference: reference, of: account, on: reader) {
                try await PaymentService(context: context, db: db, logger: logger).record(result, for: attempt)
                outcome = .applied
            } else {
                outcome = .unknownObject
            }
        case .refund(let reference, let result):
            if let refund = try await payments.refund(providerReference: reference, of: account, on: reader) {
                try await RefundService(context: context, db: db, logger: logger).settle(refund, result: result)
                outcome = .applied
            } else {
                outcome = .unknownObject
            }
        case .subscription(let reference, let result):
            // Automatic renewals: the provider's subscription, mirrored (`ProviderSubscriptions`).
            let known = try await ProviderSubscriptions(context: context, db: db, logger: logger)
                .handleWebhook(reference: reference, result: result, account: account)
            outcome = known ? .applied : .unknownObject
        case .ignored:
            outcome = .ignored
        }
        context.metrics.providerWebhook(provider: provider, outcome: outcome.rawValue)
        return outcome
    }
}
