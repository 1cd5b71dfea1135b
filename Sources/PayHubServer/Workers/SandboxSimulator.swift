import Fluent
import Foundation
import Logging
import PayHubConnectors

/// Plays the sandbox provider's side: when an asynchronous sandbox payment or refund settles, it sends PayHub
/// the signed webhook a real provider would, through the same verification as any provider webhook.
struct SandboxSimulator: Sendable {
    let context: PayHubContext
    let db: any Database
    let logger: Logger

    private var connector: SandboxConnector? { context.connectors[SandboxConnector.name] as? SandboxConnector }

    /// Sends the webhooks due now; returns how many.
    @discardableResult
    func runOnce() async throws -> Int {
        guard let connector else { return 0 }
        let now = context.clock.now()
        var sent = 0
        let attempts = try await PaymentAttemptModel.query(on: db)
            .filter(\.$provider == SandboxConnector.name)
            .filter(\.$status ~~ ["processing", "requires_action"]).limit(200).all()
        for attempt in attempts {
            guard let reference = attempt.providerReference, SandboxConnector.hasSettled(reference: reference, at: now) else { continue }
            // One row that fails must not hold up the others on every pass.
            do {
                guard let account = try await ProviderAccountModel.find(attempt.providerAccountID, on: db) else { continue }
                let result = try await connector.retrievePayment(reference: reference, context: try context.connectorContext(for: account))
                try await send(.payment(reference: reference, result: result), account: account, connector: connector, now: now)
                sent += 1
            } catch {
                logger.error("sandbox settlement failed", metadata: ["payment_attempt": "\(attempt.id ?? "")", "error": "\(error)"])
            }
        }
        let refunds = try await RefundModel.query(on: db)
            .filter(\.$provider == SandboxConnector.name).filter(\.$status == "pending").limit(200).all()
        for refund in refunds {
            guard let reference = refund.providerReference, SandboxConnector.refundHasSettled(reference: reference, at: now) else { continue }
            do {
                guard let account = try await ProviderAccountModel.find(refund.providerAccountID, on: db) else { continue }
                let result = try await connector.retrieveRefund(reference: reference, context: try context.connectorContext(for: account))
                try await send(.refund(reference: reference, result: result), account: account, connector: connector, now: now)
                sent += 1
            } catch {
                logger.error("sandbox refund settlement failed", metadata: ["refund": "\(refund.id ?? "")", "error": "\(error)"])
            }
        }
        return sent
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
