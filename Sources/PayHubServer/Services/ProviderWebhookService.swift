import Fluent
import Foundation
import Logging
import PayHubConnectors

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
        guard let connector = context.connectors[provider],
              let account = try await ProviderAccountModel.find(accountID, on: db), account.provider == provider
        else {
            throw APIError.notFound("provider_account", id: accountID, param: "account")
        }
        let event: ProviderWebhookEvent
        do {
            event = try connector.parseWebhook(webhook, context: try context.connectorContext(for: account))
        } catch let error as ConnectorError {
            context.metrics.providerWebhook(provider: provider, outcome: "rejected")
            logger.warning(
                "provider webhook rejected", metadata: ["provider": "\(provider)", "account": "\(accountID)", "why": "\(error)"])
            throw APIError.invalid("webhook_invalid", "The webhook could not be verified.")
        }
        let outcome: Outcome
        switch event {
        case .payment(let reference, let result):
            if let attempt = try await PaymentAttemptModel.query(on: db)
                .filter(\.$provider == provider).filter(\.$providerReference == reference)
                .filter(\.$providerAccountID == accountID).first() {
                try await PaymentService(context: context, db: db, logger: logger)
                    .record(result, attemptID: attempt.id ?? "", intentID: attempt.paymentIntentID, returnURL: attempt.returnURL)
                outcome = .applied
            } else {
                outcome = .unknownObject
            }
        case .refund(let reference, let result):
            if let refund = try await RefundModel.query(on: db)
                .filter(\.$provider == provider).filter(\.$providerReference == reference)
                .filter(\.$providerAccountID == accountID).first() {
                try await RefundService(context: context, db: db, logger: logger).settle(refundID: refund.id ?? "", result: result)
                outcome = .applied
            } else {
                outcome = .unknownObject
            }
        case .ignored:
            outcome = .ignored
        }
        context.metrics.providerWebhook(provider: provider, outcome: outcome.rawValue)
        return outcome
    }
}
