import FluentKit
import Foundation
import Logging
import PayHubConnectors
import PayHubCore
import SQLKit

/// PayHub's own (manual) renewals: the renewal job's run. It applies what is due, one fact per transaction, and
/// charges the open period off-session, until nothing more is due at the subscription's time.
///
/// Exactly once per period:
/// - a period's payment intent is created in the transaction that starts the period (`SubscriptionChanges`), with
///   its `subscription_periods` row, whose primary key `(subscription_id, period)` refuses a second one; the
///   subscription's row lock (PostgreSQL) and `SubscriptionMachine` (a period with an open payment cannot renew
///   again) make a racing process give up before it gets there;
/// - each try (the renewal, each dunning retry) is an attempt stored before the provider hears of it, under the
///   provider idempotency key `subscription_renewal_<subscription>_<period>_<try>`; a run that finds the try
///   started (after a crash, or by another process) asks the provider again under the same key instead of
///   starting another, and the intent's own rule (one active attempt at a time) stops two processes from both
///   starting one;
/// - after downtime, periods are caught up one by one, each charged once, in order (the customer had the service
///   for each; a merchant expects each period billed). A failure stops the catch-up with the subscription past due.
struct SubscriptionRenewals: Sendable {
    let context: PayHubContext
    let db: any Database
    let logger: Logger

    var reader: any SQLDatabase { context.transactor.reader(db) }
    var payments: PaymentService { PaymentService(context: context, db: db, logger: logger) }
    var subscriptions: SubscriptionRepository { SubscriptionRepository() }

    /// At most this many steps per run: a year of daily renewals, with dunning.
    static let maximumSteps = 2_000

    enum Run: Equatable {
        case done
        case checkAgain(at: Date)
    }

    /// Runs everything due for the subscription now. A subscription on a test clock is never rescheduled: its
    /// clock's advance runs it.
    func run(_ id: SubscriptionID) async throws -> Run {
        var previous: (SubscriptionStep, SubscriptionRecord)?
        for _ in 0..<Self.maximumSteps {
            guard let record = try await subscriptions.subscription(id, for: .subscriptionRenewal, on: reader) else { return .done }
            let now = try await SubscriptionTime.now(of: record, context: context, on: reader)
            let step = SubscriptionSchedule.next(record, now: now, dunning: context.config.dunning)
            if let previous, previous.0 == step, previous.1 == record {
                // Nothing moved (a payment is in flight with its provider): its outcome reschedules the subscription.
                return record.testClockID == nil ? .checkAgain(at: context.clock.now().addingTimeInterval(Self.inFlightRecheck)) : .done
            }
            previous = (step, record)
            switch step {
            case .wait(let date):
                guard record.testClockID == nil, let date else { return .done }
                return .checkAgain(at: date)
            case .apply(let command):
                try await apply(command, to: record)
            case .charge(let period, let number):
                try await charge(record, period: period, try: number)
            }
        }
        logger.error("subscription renewal did not settle", metadata: ["subscription": "\(id)"])
        return .checkAgain(at: context.clock.now().addingTimeInterval(Self.inFlightRecheck))
    }

    /// How long the job waits to look again at a payment whose provider has not said how it ended.
    static let inFlightRecheck: TimeInterval = 600

    /// One fact, in its own transaction. Another process that applied it first makes this one a conflict: the
    /// next step reads what it did.
    func apply(_ command: SubscriptionCommand, to record: SubscriptionRecord) async throws {
        let payments = self.payments
        do {
            try await context.transactor.writeSQL(on: db) { tx in
                _ = try await SubscriptionChanges.apply(command, to: record.id, in: record.scope, payments: payments, on: tx)
            }
        } catch let error as ServiceError where error.kind == .conflict {
            logger.info("subscription changed meanwhile", metadata: ["subscription": "\(record.id)", "command": "\(command.name)"])
            return
        }
        if command == .firstPaymentExpired {
            // The customer can no longer pay it; a payment that comes anyway is a late success, given back.
            try await cancelPayment(of: record, period: 1)
        }
    }

    /// Cancels a period's payment that is still open (not paid, not processing with its provider).
    func cancelPayment(of record: SubscriptionRecord, period: Int) async throws {
        guard let row = try await subscriptions.period(period, of: record.id, in: record.scope, on: reader) else { return }
        let payment = try await payments.current(row.paymentIntentID, in: record.scope)
        let status = payment.intent.intent.status
        guard !status.isTerminal, status != .processing, status != .requiresCapture else { return }
        do {
            try await payments.apply(.cancel(reason: .abandoned), to: payment.id, in: record.scope, attemptID: payment.intent.intent.activeAttemptID)
        } catch {
            logger.warning("open subscription payment not canceled", metadata: ["payment_intent": "\(payment.id)", "error": "\(error)"])
        }
    }

    /// Charges the open period off-session with the saved method: try `number` (0 the renewal, n the n-th retry).
    func charge(_ record: SubscriptionRecord, period: Int, try number: Int) async throws {
        // The provider charges an automatic subscription itself; PayHub never does.
        guard record.renewal == .manual else { return }
        guard let row = try await subscriptions.period(period, of: record.id, in: record.scope, on: reader) else {
            throw ServiceError.notFound("subscription_period", id: "\(record.id.rawValue)/\(period)")
        }
        let payment = try await payments.current(row.paymentIntentID, in: record.scope)
        let key = SubscriptionPaymentMetadata.renewalKey(record.id, period: period, try: number)
        if let started = payment.attempts.first(where: { $0.idempotencyKey == key }) {
            // This try was started before (a crash after it was stored, or another process): ask again, same key.
            if !started.status.isFinal { try await payments.refresh(started) }
            return
        }
        if let active = payment.activeAttempt {
            if !active.status.isFinal && active.providerReference == nil { try await payments.refresh(active) }
            return
        }
        guard payment.intent.intent.status == .requiresPaymentMethod else { return }
        let tag = SubscriptionPaymentMetadata(payment.intent.metadata)
        guard let method = tag?.offSessionMethod, let accountID = record.savedMethodAccountID,
              let account = try await ProviderAccountRepository().account(accountID, in: record.scope, on: reader),
              let connector = context.connectors[account.provider], connector.capabilities.savedMethods.contains(method.type)
        else {
            // Nothing to charge off-session (a trial whose customer saved no method): the try fails at once, and
            // dunning sends the customer the page to pay.
            try await failWithoutMethod(record, try: number)
            return
        }
        let attempt = PaymentAttemptRecord(
            attempt: PaymentAttempt(
                id: context.ids.make(), paymentIntentID: payment.id, provider: connector.name, methodType: method.type,
                createdAt: context.clock.now()),
            scope: record.scope, providerAccountID: account.id, paymentMethod: PaymentMethodData(type: method.type), returnURL: nil,
            idempotencyKey: key, statusCheck: .first(nil), lateSuccessReversalReference: nil)
        do {
            try await payments.start(attempt)
        } catch let violation as PaymentRuleViolation {
            // Another process started a try on this intent first: its outcome moves the subscription.
            logger.info("renewal try not started", metadata: ["subscription": "\(record.id)", "why": "\(violation.code)"])
            return
        }
        let request = ProviderRequests.payment(intent: payment.intent, attempt: attempt)
        let result = await payments.call(connector, account: account) { connector, context in
            try await connector.authorize(request, context: context)
        } ?? .unknown
        try await payments.record(result, for: attempt)
        context.metrics.payment(provider: connector.name, outcome: result.outcome.metricName)
    }

    private func failWithoutMethod(_ record: SubscriptionRecord, try number: Int) async throws {
        let payments = self.payments
        try await context.transactor.writeSQL(on: db) { tx in
            guard let locked = try await SubscriptionRepository().lock(record.id, in: record.scope, on: tx) else { return }
            try await SubscriptionPayments.renewalTryFailed(locked, try: number, payments: payments, on: tx)
        }
    }
}
