import Fluent
import Foundation
import Logging
import PayHubConnectors

/// Plays the sandbox provider's side: when an asynchronous sandbox payment or refund settles, or the customer
/// decides on the sandbox's page, it sends PayHub the signed webhook a real provider would, through the same
/// verification as any provider webhook.
struct SandboxSimulator: Sendable {
    let context: PayHubContext
    let db: any Database
    let logger: Logger

    private var connector: SandboxConnector? { context.connectors[SandboxConnector.name] as? SandboxConnector }

    /// Reports a settled payment (`isRefund` false) or refund; false when it has not settled yet.
    func reportSettlement(reference: String, accountID: String, isRefund: Bool) async throws -> Bool {
        guard let connector, let account = try await ProviderAccountModel.find(accountID, on: db) else { return true }
        let now = context.clock.now()
        let connectorContext = try context.connectorContext(for: account)
        if isRefund {
            guard SandboxConnector.refundHasSettled(reference: reference, at: now) else { return false }
            let result = try await connector.retrieveRefund(reference: reference, context: connectorContext)
            try await send(.refund(reference: reference, result: result), account: account, connector: connector, now: now)
        } else {
            guard SandboxConnector.hasSettled(reference: reference, at: now) else { return false }
            let result = try await connector.retrievePayment(reference: reference, context: connectorContext)
            try await send(.payment(reference: reference, result: result), account: account, connector: connector, now: now)
        }
        return true
    }

    /// The customer's answer on the sandbox's 3-D Secure or wallet page, reported as a signed webhook.
    func customerDecided(reference: String, approved: Bool) async throws -> PaymentAttemptModel? {
        guard let connector,
              let attempt = try await PaymentAttemptModel.query(on: db)
                .filter(\.$provider == SandboxConnector.name).filter(\.$providerReference == reference).first(),
              let account = try await ProviderAccountModel.find(attempt.providerAccountID, on: db)
        else { return nil }
        let now = context.clock.now()
        let result = try connector.customerDecision(reference: reference, approved: approved, at: now)
        try await send(.payment(reference: reference, result: result), account: account, connector: connector, now: now)
        return attempt
    }

    private func send(_ event: ProviderWebhookEvent, account: ProviderAccountModel, connector: SandboxConnector, now: Date) async throws {
        let secret = try context.connectorContext(for: account).credentials.required("webhook_secret")
        let webhook = connector.webhook(reporting: event, secret: secret, now: now)
        _ = try await ProviderWebhookService(context: context, db: db, logger: logger)
            .handle(provider: SandboxConnector.name, accountID: account.id ?? "", webhook: webhook)
    }
}
