import FluentKit
import Foundation
import Logging
import PayHubConnectors
import PayHubCore
import SQLKit

/// Automatic renewals: the provider runs the subscription (`SubscriptionConnector`), PayHub mirrors it.
///
/// - After the first payment saved the method, `ProviderSubscriptionJob` creates the provider's subscription under
///   an idempotency key made of PayHub's id, so a retry after a crash (between the provider's answer and the local
///   write) gets the same subscription back; its reference is written once.
/// - The provider's state (its webhooks, its answers, a periodic `retrieveSubscription`) moves the local one only
///   through `SubscriptionMachine`, and each renewal it reports is recorded once (`ProviderRenewals`).
/// - Cancel, resume and plan changes ask the provider first; the local state follows its answer.
struct ProviderSubscriptions: Sendable {
    let context: PayHubContext
    let db: any Database
    let logger: Logger

    var reader: any SQLDatabase { context.transactor.reader(db) }
    var payments: PaymentService { PaymentService(context: context, db: db, logger: logger) }
    var subscriptions: SubscriptionRepository { SubscriptionRepository() }

    /// How often an automatic subscription is read back from its provider, whatever its webhooks said.
    static let reconcileInterval: TimeInterval = 6 * 3600
    /// How soon a read-back the provider did not answer is tried again.
    static let retryAfterFailure: TimeInterval = 600

    /// The provider idempotency key of creating a subscription's provider subscription.
    static func creationKey(_ id: SubscriptionID) -> String { "payhub_subscription_\(id.rawValue)" }

    /// The provider account that runs the subscription (the one that saved the method) and its connector.
    struct Provider: Sendable {
        var account: ProviderAccountRecord
        var connector: any SubscriptionConnector
    }

    // MARK: - Creating and reconciling (the job)

    /// Creates the provider's subscription if it is not there yet, else reads it back; mirrors what the provider
    /// says. Returns when to look again (nil: never, the subscription ended or is not the provider's).
    func sync(_ id: SubscriptionID) async throws -> Date? {
        guard let record = try await subscriptions.subscription(id, for: .subscriptionRenewal, on: reader),
              record.renewal == .automatic, record.subscription.status != .incomplete, !record.subscription.status.isTerminal
        else { return nil }
        let provider = try await self.provider(of: record)
        let connectorContext = try context.connectorContext(for: provider.account)
        let result: ConnectorSubscriptionResult
        if let reference = record.providerSubscription {
            do {
                result = try await provider.connector.retrieveSubscription(reference: reference, context: connectorContext)
            } catch let error as ConnectorError {
                // A read-back that failed is tried again later, never given up: the webhooks still arrive meanwhile.
                logger.warning("provider subscription not read back", metadata: ["subscription": "\(id)", "why": "\(error)"])
                return context.clock.now().addingTimeInterval(error.isTransient ? Self.retryAfterFailure : Self.reconcileInterval)
            }
        } else {
            guard let method = record.savedMethod else {
                throw ServiceError.conflict("subscription_method_missing", "Subscription \(id) has no saved method to give its provider.")
            }
            let s = record.subscription
            result = try await provider.connector.createSubscription(
                ConnectorSubscriptionRequest(
                    subscriptionID: id, amount: s.amount, interval: s.interval, description: record.description,
                    customer: record.customer, method: method, billingStart: s.currentPeriodEnd, idempotencyKey: Self.creationKey(id)),
                context: connectorContext)
            try await storeReference(result.reference, of: record)
        }
        try await mirror(result, of: id, in: record.scope, provider: provider)
        guard let after = try await subscriptions.subscription(id, in: record.scope, on: reader), !after.subscription.status.isTerminal
        else { return nil }
        return context.clock.now().addingTimeInterval(Self.reconcileInterval)
    }

    /// Writes the provider's reference once. A second, different one (a provider that ignored the idempotency key)
    /// is not adopted: PayHub keeps mirroring the first.
    private func storeReference(_ reference: String, of record: SubscriptionRecord) async throws {
        let payments = self.payments
        let logger = self.logger
        try await context.transactor.writeSQL(on: db) { tx in
            guard var locked = try await SubscriptionRepository().lock(record.id, in: record.scope, on: tx) else { return }
            guard locked.providerSubscription == nil else {
                if locked.providerSubscription != reference {
                    logger.error(
                        "provider created a second subscription; PayHub keeps the first",
                        metadata: ["subscription": "\(record.id)", "kept": "\(locked.providerSubscription ?? "")", "other": "\(reference)"])
                }
                return
            }
            locked.providerSubscription = reference
            locked.subscription.updatedAt = payments.context.clock.now()
            try await SubscriptionRepository().save(locked, on: tx)
            try await SubscriptionChanges.recordEvents([.customerSubscriptionUpdated], of: locked, context: payments.context, on: tx)
        }
    }

    /// Enqueues (or makes due now) the job that creates or reads back the provider's subscription.
    static func syncSoon(_ id: SubscriptionID, context: PayHubContext, on tx: any SQLDatabase) async throws {
        try await JobScheduler.enqueue(ProviderSubscriptionJob.job(subscription: id, at: context.clock.now()), ifExists: .rearm, context: context, on: tx)
    }

    // MARK: - Webhooks

    /// A provider's webhook about one of its subscriptions, on `account`. Nil when PayHub knows no subscription of
    /// that account by this reference (another account's, or one whose creation is not written yet: the job's
    /// read-back then catches up).
    func handleWebhook(reference: String, result: ConnectorSubscriptionResult, account: ProviderAccountRecord) async throws -> Bool {
        guard let record = try await subscriptions.subscription(
            providerSubscription: reference, account: account.id, in: account.scope, on: reader) else { return false }
        let provider = try await self.provider(of: record)
        try await mirror(result, of: record.id, in: record.scope, provider: provider)
        if result.stateIsInferred {
            // The message told only of a renewal: the subscription's own state is read back from the provider.
            let context = self.context
            try await context.transactor.writeSQL(on: db) { tx in try await Self.syncSoon(record.id, context: context, on: tx) }
        }
        return true
    }

    // MARK: - Mirroring

    /// Applies what the provider says: the renewal it reports (recorded once), then a cancellation it scheduled,
    /// undid or carried out. A state the provider only implied (`stateIsInferred`) moves nothing but the renewal.
    func mirror(_ result: ConnectorSubscriptionResult, of id: SubscriptionID, in scope: TenantScope, provider: Provider) async throws {
        if let renewal = result.latestRenewal {
            try await ProviderRenewals(context: context, db: db, logger: logger).record(renewal, of: id, in: scope, provider: provider)
        }
        let payments = self.payments
        let logger = self.logger
        try await context.transactor.writeSQL(on: db) { tx in
            guard let record = try await SubscriptionRepository().lock(id, in: scope, on: tx) else { return }
            guard let command = Self.command(mirroring: result, onto: record.subscription, now: payments.context.clock.now()) else { return }
            do {
                _ = try await SubscriptionChanges.apply(command, to: record, payments: payments, on: tx)
            } catch let error as ServiceError where error.kind == .conflict || error.kind == .invalidInput {
                logger.warning(
                    "provider's subscription state not mirrored",
                    metadata: ["subscription": "\(id)", "command": "\(command.name)", "why": "\(error.code)"])
            }
        }
    }

    /// The one command that brings the local subscription to the provider's state, if one is needed.
    static func command(mirroring result: ConnectorSubscriptionResult, onto s: Subscription, now: Date) -> SubscriptionCommand? {
        guard !s.status.isTerminal else { return nil }
        switch result.status {
        case .canceled, .ended:
            // Ended at the period's end as scheduled, or at once (on request, or after the provider's own retries).
            return s.cancelAtPeriodEnd && now >= s.currentPeriodEnd ? .periodEndedWithCancellation : .cancel(atPeriodEnd: false)
        case .incomplete, .trialing, .active, .pastDue:
            guard !result.stateIsInferred, result.cancelAtPeriodEnd != s.cancelAtPeriodEnd else { return nil }
            return result.cancelAtPeriodEnd ? .cancel(atPeriodEnd: true) : .resume
        }
    }

    // MARK: - Merchant's changes

    /// Cancels with the provider (at period end or now); the local subscription follows its answer.
    func cancel(_ record: SubscriptionRecord, atPeriodEnd: Bool) async throws -> SubscriptionRecord {
        try await change(record) { connector, reference, context in
            try await connector.cancelSubscription(reference: reference, atPeriodEnd: atPeriodEnd, context: context)
        }
    }

    /// Undoes a pending cancellation with the provider.
    func resume(_ record: SubscriptionRecord) async throws -> SubscriptionRecord {
        guard record.subscription.cancelAtPeriodEnd else {
            throw ServiceError.from(SubscriptionRuleViolation.noPendingCancellation)
        }
        return try await change(record) { connector, reference, context in
            try await connector.resumeSubscription(reference: reference, context: context)
        }
    }

    /// A new amount or interval from the next renewal on: the provider's subscription first, then the local plan.
    func changePlan(_ record: SubscriptionRecord, amount: Money?, interval: BillingInterval?, metadata: [String: String]?) async throws -> SubscriptionRecord {
        let s = record.subscription
        // Refused before the provider hears of it, as a manual subscription's change would be.
        do {
            _ = try SubscriptionMachine.apply(.changePlan(amount: amount, interval: interval), to: s, at: context.clock.now())
        } catch {
            throw ServiceError.from(error)
        }
        let newAmount = amount ?? s.pendingAmount ?? s.amount
        let newInterval = interval ?? s.pendingInterval ?? s.interval
        _ = try await change(record) { connector, reference, context in
            try await connector.updateSubscription(reference: reference, amount: newAmount, interval: newInterval, context: context)
        }
        let payments = self.payments
        return try await context.transactor.writeSQL(on: db) { tx in
            try await SubscriptionChanges.apply(.changePlan(amount: amount, interval: interval), to: record.id, in: record.scope, payments: payments, on: tx) { next, _ in
                if let metadata { next.metadata = metadata }
            }.record
        }
    }

    private func change(
        _ record: SubscriptionRecord,
        _ call: (any SubscriptionConnector, String, ConnectorContext) async throws -> ConnectorSubscriptionResult
    ) async throws -> SubscriptionRecord {
        guard !record.subscription.status.isTerminal else {
            throw ServiceError.from(SubscriptionRuleViolation.unexpectedState(record.subscription.status, command: "change"))
        }
        guard let reference = record.providerSubscription else {
            throw ServiceError.conflict(
                "provider_subscription_pending", "The provider's subscription is being created; retry in a moment.")
        }
        let provider = try await self.provider(of: record)
        let result: ConnectorSubscriptionResult
        do {
            result = try await call(provider.connector, reference, try context.connectorContext(for: provider.account))
        } catch let error as ConnectorError {
            throw Self.refusal(error)
        }
        try await mirror(result, of: record.id, in: record.scope, provider: provider)
        guard let after = try await subscriptions.subscription(record.id, in: record.scope, on: reader) else {
            throw ServiceError.notFound("subscription", id: record.id.rawValue)
        }
        return after
    }

    static func refusal(_ error: ConnectorError) -> ServiceError {
        switch error {
        case .invalidRequest(_, let message, _):
            ServiceError(kind: .conflict, code: "provider_refused", message: "The provider refused: \(message)")
        default:
            ServiceError(kind: .providerFailed, code: "provider_unavailable", message: "The provider could not be reached; nothing changed. Retry later.")
        }
    }

    /// The account that saved the subscription's method, which runs it.
    func provider(of record: SubscriptionRecord) async throws -> Provider {
        guard let accountID = record.savedMethodAccountID,
              let account = try await ProviderAccountRepository().account(accountID, in: record.scope, on: reader),
              let connector = context.connectors[account.provider] as? any SubscriptionConnector,
              connector.capabilities.providerSubscriptions
        else {
            throw ServiceError.conflict("provider_unavailable", "The provider account that runs subscription \(record.id) cannot run subscriptions.")
        }
        return Provider(account: account, connector: connector)
    }

    /// Which provider accounts can run a card subscription in `currency` themselves (automatic renewals).
    enum Availability: Equatable {
        /// Every account a card payment is routed to (when no provider is named) can: the default is automatic.
        case routed
        /// Some account can, when the first payment names its provider: automatic on request.
        case named
        case none
    }

    static func availability(currency: Currency, in scope: TenantScope, context: PayHubContext, db: any Database) async throws -> Availability {
        func runs(_ connector: any PaymentConnector) -> Bool {
            let capabilities = connector.capabilities
            return capabilities.providerSubscriptions && capabilities.savedMethods.contains("card") && connector is any SubscriptionConnector
                && capabilities.supports(method: "card", currency: currency) && (!scope.livemode || capabilities.liveMode)
        }
        let accounts = try await ProviderAccountRepository().enabled(in: scope, provider: nil, on: context.transactor.reader(db))
        guard accounts.contains(where: { context.connectors[$0.provider].map(runs) ?? false }) else { return .none }
        do {
            let routed = try await PaymentRouter(context: context, db: db).candidates(
                for: RouteRequest(provider: nil, methodType: "card", currency: currency, scope: scope))
            return routed.allSatisfy { runs($0.connector) } ? .routed : .named
        } catch is ServiceError {
            // Several providers take cards: the first payment must name one.
            return .named
        }
    }
}
