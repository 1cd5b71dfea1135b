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

    /// The sandbox, as the registry has it.
    func sandbox() throws -> SandboxConnector {
        guard let connector else { throw ServiceError.notFound("sandbox payment", id: "sandbox", param: "reference") }
        return connector
    }

    /// What the customer decided on the sandbox's page (3-D Secure, a wallet, its card page), reported as the
    /// signed webhook the provider would send.
    func report(_ result: ConnectorPaymentResult, on subject: AuthenticationPageSubject) async throws {
        guard let connector,
              let account = try await ProviderAccountRepository().account(
                subject.attempt.providerAccountID, in: subject.attempt.scope, on: context.transactor.reader(db))
        else { throw ServiceError.notFound("sandbox payment", id: subject.reference, param: "reference") }
        try await send(.payment(reference: subject.reference, result: result), account: account, connector: connector, now: context.clock.now())
    }

    private func send(_ event: ProviderWebhookEvent, account: ProviderAccountRecord, connector: SandboxConnector, now: Date) async throws {
        let secret = try context.connectorContext(for: account).credentials.required("webhook_secret")
        let webhook = connector.webhook(reporting: event, secret: secret, now: now)
        _ = try await ProviderWebhookService(context: context, db: db, logger: logger)
            .handle(provider: SandboxConnector.name, accountID: account.id.rawValue, webhook: webhook)
    }
}
