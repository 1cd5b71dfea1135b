import FluentKit
import Foundation
import Logging
import PayHubConnectors
import PayHubCore
import SQLKit

/// Payment intents and their attempts. Every change goes through `PaymentMachine` inside one transaction that
/// also writes its events and jobs; providers are called between transactions, never inside one. The operations
/// live in the files beside this one: attempts, capture and cancel, provider results and authentication pages.
/// It speaks the domain: it returns records and throws `ServiceError` (or Core and connector errors).
struct PaymentService: Sendable {
    let context: PayHubContext
    let db: any Database
    let logger: Logger

    var events: EventRecorder { EventRecorder(context: context) }
    /// Reads outside a transaction.
    var reader: any SQLDatabase { context.transactor.reader(db) }
    var router: PaymentRouter { PaymentRouter(context: context, db: db) }
    var schedule: StatusCheckSchedule { context.config.statusChecks }
    var payments: PaymentRepository { PaymentRepository() }
    var accounts: ProviderAccountRepository { ProviderAccountRepository() }

    /// A new intent, with the short-lived token for its customer's browser or app.
    struct Created: Sendable {
        var payment: PaymentIntentAggregate
        var clientToken: String
    }

    // MARK: - Intents

    func create(_ input: CreatePaymentIntentRequest, principal: Principal) async throws -> Created {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        let now = context.clock.now()
        let scope = principal.scope
        let record = try newIntent(input, in: scope, idempotencyKey: RequestIdempotency.key, at: now)
        if let key = RequestIdempotency.key, let existing = try await payments.payment(
            createdByIdempotencyKey: key, in: scope, since: now.addingTimeInterval(-IdempotencyService.lifetime), on: reader) {
            // A retry of a request that created this intent but died before its response was stored.
            return Created(payment: existing, clientToken: try await clientToken(for: existing.id, in: scope, now: now))
        }
        let payment = PaymentIntentAggregate(intent: record, attempts: [])
        let data = JSONText.encode(Presenter.paymentIntent(payment))
        try await context.transactor.writeSQL(on: db) { tx in
            try await insert(created: record, data: data, on: tx)
        }
        return Created(payment: payment, clientToken: try await clientToken(for: record.id, in: scope, now: now))
    }

    /// A new intent, validated and not stored yet: what `create` stores, and what a checkout session stores with
    /// itself (`CheckoutSessionService`), so both are the same kind of intent.
    func newIntent(
        _ input: CreatePaymentIntentRequest, in scope: TenantScope, idempotencyKey: String?, at now: Date
    ) throws -> PaymentIntentRecord {
        let money: Money
        do {
            money = try Money.chargeable(amount: input.amount, currencyCode: input.currency, maximum: context.config.maximumAmount)
        } catch {
            throw ServiceError.from(error, param: "amount")
        }
        let captureMethod = try input.captureMethod.map { raw in
            guard let method = CaptureMethod(rawValue: raw) else {
                throw ServiceError.invalid("parameter_invalid", "capture_method must be automatic or manual.", param: "capture_method")
            }
            return method
        } ?? .automatic
        try InputRules.text(input.customerReference, max: 255, param: "customer_reference")
        try InputRules.text(input.purchaseReference, max: 255, param: "purchase_reference")
        try InputRules.text(input.description, max: 1000, param: "description")
        try InputRules.customer(input.customer)
        return PaymentIntentRecord(
            intent: PaymentIntent(id: context.ids.make(), amount: money, captureMethod: captureMethod, createdAt: now),
            scope: scope, customerReference: input.customerReference, purchaseReference: input.purchaseReference,
            description: input.description, metadata: input.metadata ?? [:],
            customer: input.customer.map(\.details),
            idempotencyKey: idempotencyKey)
    }

    /// Inside the caller's transaction: stores a new intent and records `payment_intent.created` with `data`, the
    /// intent as presented (encoded before the transaction, so the writer waits less).
    func insert(created record: PaymentIntentRecord, data: String, on tx: any SQLDatabase) async throws {
        try await payments.insert(record, on: tx)
        try await events.record(
            [.paymentIntentCreated], data: data, objectID: record.id.rawValue, merchantID: record.scope.merchantID,
            livemode: record.scope.livemode, on: tx)
    }

    private func clientToken(for id: PaymentIntentID, in scope: TenantScope, now: Date) async throws -> String {
        try await context.clientTokens.sign(intentID: id.rawValue, merchantID: scope.merchantID, livemode: scope.livemode, now: now)
    }

    func retrieve(_ id: String, principal: Principal) async throws -> PaymentIntentAggregate {
        try await load(id, principal: principal)
    }

    func list(principal: Principal, page: PageRequest) async throws -> RecordPage<PaymentIntentAggregate> {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        let status = try InputRules.statusFilter(page, as: PaymentIntentStatus.self)
        return try await payments.payments(in: principal.scope, status: status, page: page, on: reader)
    }

    // MARK: - Internals

    /// Applies a command in one transaction: lock, load, decide, save, record events, enqueue follow-up jobs.
    @discardableResult
    func apply(
        _ command: PaymentCommand, to intentID: PaymentIntentID, in scope: TenantScope, attemptID: PaymentAttemptID?,
        savedMethod: SavedPaymentMethod? = nil
    ) async throws -> PaymentIntentAggregate {
        let (events, context, schedule, service) = (self.events, self.context, self.schedule, self)
        let now = context.clock.now()
        return try await context.transactor.writeSQL(on: db) { tx in
            let (payment, transition) = try await Self.change(
                command, intentID: intentID, in: scope, attemptID: attemptID, newAttempt: nil, schedule: schedule, at: now, on: tx)
            try await events.record(
                transition.events, object: Presenter.paymentIntent(payment), objectID: intentID.rawValue,
                merchantID: scope.merchantID, livemode: scope.livemode, on: tx)
            try await CheckoutSessionCompletion.intentChanged(payment, by: transition, context: context, on: tx)
            try await PaymentNotifications.paymentChanged(payment, by: transition, context: context, on: tx)
            try await SubscriptionPayments.intentChanged(payment, by: transition, savedMethod: savedMethod, payments: service, on: tx)
            if let attempt = transition.attempt.flatMap({ payment.attempt($0.id) }), !transition.isNoOp {
                if transition.startsReversal {
                    try await JobScheduler.enqueue(LateSuccessReversalJob.job(attempt: attempt.id, at: now), context: context, on: tx)
                }
                try await SandboxSettlementJob.scheduleIfSimulated(attempt: attempt, context: context, on: tx)
            }
            return payment
        }
    }

    /// Starts an attempt: the intent points at it before the provider hears of it. Starting records no event
    /// (`PaymentMachine`), and nothing is presented, so the intent's other attempts are not loaded.
    func start(_ attempt: PaymentAttemptRecord) async throws {
        let now = context.clock.now()
        let schedule = self.schedule
        try await context.transactor.writeSQL(on: db) { tx in
            _ = try await Self.change(
                .startAttempt(attempt.attempt), intentID: attempt.paymentIntentID, in: attempt.scope, attemptID: nil,
                newAttempt: attempt, schedule: schedule, at: now, on: tx)
        }
    }

    /// Inside a transaction: locks and loads the intent (and its attempts, unless it starts one), asks
    /// `PaymentMachine`, saves the result and when the changed attempt is next checked with its provider.
    private static func change(
        _ command: PaymentCommand, intentID: PaymentIntentID, in scope: TenantScope, attemptID: PaymentAttemptID?,
        newAttempt: PaymentAttemptRecord?, schedule: StatusCheckSchedule, at now: Date, on tx: any SQLDatabase
    ) async throws -> (PaymentIntentAggregate, PaymentTransition) {
        let payments = PaymentRepository()
        guard var payment = try await payments.lock(intentID, in: scope, withAttempts: newAttempt == nil, on: tx) else {
            throw ServiceError.notFound("payment_intent", id: intentID.rawValue)
        }
        let index = attemptID.flatMap { id in payment.attempts.firstIndex { $0.id == id } }
        let transition = try PaymentMachine.apply(
            command, to: payment.intent.intent, attempt: index.map { payment.attempts[$0].attempt }, at: now)
        if case .startAttempt = command, var started = newAttempt, let attempt = transition.attempt {
            started.attempt = attempt
            started.statusCheck = .first(schedule.nextCheck(status: attempt.status, changedAt: now, checks: 0, now: now))
            try await payments.insert(started, on: tx)
            payment.attempts.append(started)
        } else if transition.isNoOp {
            return (payment, transition)
        } else if let attempt = transition.attempt, let index {
            var target = payment.attempts[index]
            if attempt.status != target.status {
                target.statusCheck = .first(schedule.nextCheck(status: attempt.status, changedAt: now, checks: 0, now: now))
            }
            target.attempt = attempt
            try await payments.saveState(target, on: tx)
            payment.attempts[index] = target
        }
        payment.intent.intent = transition.intent
        try await payments.saveState(payment.intent, on: tx)
        return (payment, transition)
    }

    /// Calls a provider. Refusals become failed outcomes; network trouble gives nil: the outcome is unknown and the
    /// status poller checks it later.
    func call(
        _ connector: any PaymentConnector, account: ProviderAccountRecord,
        _ body: (any PaymentConnector, ConnectorContext) async throws -> ConnectorPaymentResult
    ) async -> ConnectorPaymentResult? {
        do {
            return try await body(connector, try context.connectorContext(for: account))
        } catch ConnectorError.invalidRequest(let code, let message, _) {
            return ConnectorPaymentResult(providerReference: nil, outcome: .failed(PaymentFailure(kind: .invalidRequestError, code: code, message: message)))
        } catch ConnectorError.invalidCredentials(let why) {
            logger.error("provider refused the account's credentials", metadata: ["provider_account": "\(account.id)", "why": "\(why)"])
            return ConnectorPaymentResult(providerReference: nil, outcome: .failed(PaymentFailure(
                kind: .apiError, code: "provider_credentials_invalid", message: "The provider refused this account's credentials.")))
        } catch ConnectorError.unsupported(let what) {
            return ConnectorPaymentResult(providerReference: nil, outcome: .failed(PaymentFailure(
                kind: .invalidRequestError, code: "provider_operation_unsupported", message: "The provider does not support \(what).")))
        } catch {
            logger.warning("provider call failed; the outcome will be checked", metadata: ["provider": "\(connector.name)", "error": "\(error)"])
            return nil
        }
    }

    /// A failed outcome as the caller learns it, with the intent it left behind.
    static func throwIfFailed(_ outcome: ProviderOutcome, intentID: PaymentIntentID) throws {
        guard case .failed(let failure) = outcome else { return }
        throw ServiceError.paymentFailed(failure, paymentIntentID: intentID.rawValue)
    }

    /// The attempt's provider account, in the attempt's scope, and its connector.
    func provider(of attempt: PaymentAttemptRecord) async throws -> (ProviderAccountRecord, any PaymentConnector) {
        guard let account = try await accounts.account(attempt.providerAccountID, in: attempt.scope, on: reader),
              let connector = context.connectors[attempt.provider]
        else { throw ServiceError.invalid("provider_unavailable", "The attempt's provider account no longer exists.") }
        return (account, connector)
    }

    /// The intent with its attempts, if this caller may see it.
    func load(_ id: String, principal: Principal) async throws -> PaymentIntentAggregate {
        guard principal.mayAccess(paymentIntent: id), let intentID = PaymentIntentID(validating: id),
              let payment = try await payments.payment(intentID, in: principal.scope, on: reader)
        else { throw ServiceError.notFound("payment_intent", id: id) }
        return payment
    }

    /// The intent with its attempts as they stand now.
    func current(_ id: PaymentIntentID, in scope: TenantScope) async throws -> PaymentIntentAggregate {
        guard let payment = try await payments.payment(id, in: scope, on: reader) else {
            throw ServiceError.notFound("payment_intent", id: id.rawValue)
        }
        return payment
    }
}
