import FluentKit
import Foundation
import Logging
import PayHubConnectors
import PayHubCore

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
        guard let connector, let id = ProviderAccountID(validating: accountID),
              let account = try await ProviderAccountRepository().accountAcrossTenants(id, on: context.transactor.reader(db))
        else { return true }
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
    func customerDecided(on subject: AuthenticationPageSubject, approved: Bool) async throws {
        guard let connector,
              let account = try await ProviderAccountRepository().account(
                subject.attempt.providerAccountID, in: subject.attempt.scope, on: context.transactor.reader(db))
        else { throw ServiceError.notFound("sandbox payment", id: subject.reference, param: "reference") }
        let now = context.clock.now()
        let result = try connector.customerDecision(reference: subject.reference, approved: approved, at: now)
        try await send(.payment(reference: subject.reference, result: result), account: account, connector: connector, now: now)
    }

    private func send(_ event: ProviderWebhookEvent, account: ProviderAccountRecord, connector: SandboxConnector, now: Date) async throws {
        let secret = try context.connectorContext(for: account).credentials.required("webhook_secret")
        let webhook = connector.webhook(reporting: event, secret: secret, now: now)
        _ = try await ProviderWebhookService(context: context, db: db, logger: logger)
            .handle(provider: SandboxConnector.name, accountID: account.id.rawValue, webhook: webhook)
    }
}
