import Foundation
import PayHubConnectors
import PayHubCore
import SQLKit

/// The one way a stored subscription changes, inside the caller's transaction: lock and load it, ask
/// `SubscriptionMachine` at the subscription's own time (its test clock's, else the wall clock's), save, record the
/// events with the subscription as presented, open the payment of a period that started (its intent and its
/// `subscription_periods` row, in this same transaction), enqueue the customer's notification, and schedule the
/// renewal job for what is due next.
enum SubscriptionChanges {
    struct Applied: Sendable {
        var record: SubscriptionRecord
        var transition: SubscriptionTransition
    }

    static func apply(
        _ command: SubscriptionCommand, to id: SubscriptionID, in scope: TenantScope, payments: PaymentService,
        on tx: any SQLDatabase, adjust: (inout SubscriptionRecord, SubscriptionTransition) -> Void = { _, _ in }
    ) async throws -> Applied {
        let repository = SubscriptionRepository()
        guard let record = try await repository.lock(id, in: scope, on: tx) else {
            throw ServiceError.notFound("subscription", id: id.rawValue)
        }
        return try await apply(command, to: record, payments: payments, on: tx, adjust: adjust)
    }

    /// As above, for a subscription the caller has just locked and loaded. `at` is the time the command takes
    /// effect when it is not the subscription's own now: a provider's word that a period ended (automatic renewals).
    static func apply(
        _ command: SubscriptionCommand, to record: SubscriptionRecord, payments: PaymentService, on tx: any SQLDatabase,
        at effective: Date? = nil, adjust: (inout SubscriptionRecord, SubscriptionTransition) -> Void = { _, _ in }
    ) async throws -> Applied {
        let context = payments.context
        var now = try await SubscriptionTime.now(of: record, context: context, on: tx)
        if let effective { now = effective }
        let transition: SubscriptionTransition
        do {
            transition = try SubscriptionMachine.apply(command, to: record.subscription, at: now)
        } catch {
            throw ServiceError.from(error)
        }
        var next = record
        next.subscription = transition.subscription
        if command == .trialWillEnd { next.trialWillEndSent = true }
        if transition.startedPeriod != nil || transition.subscription.status == .active { next.dunning = .none }
        adjust(&next, transition)
        if next != record {
            try await SubscriptionRepository().save(next, on: tx)
        }
        if let period = transition.startedPeriod, transition.opensPayment {
            try await openPayment(of: next, period: period, payments: payments, at: now, on: tx)
        }
        try await recordEvents(transition.events, of: next, context: context, on: tx)
        try await SubscriptionNotifications.changed(next, by: transition, command: command, context: context, at: now, on: tx)
        try await schedule(next, context: context, now: now, on: tx)
        return Applied(record: next, transition: transition)
    }

    /// Records `types` with the subscription as presented now.
    static func recordEvents(_ types: [EventType], of record: SubscriptionRecord, context: PayHubContext, on tx: any SQLDatabase) async throws {
        guard !types.isEmpty else { return }
        let latest = try await SubscriptionRepository().latestPeriod(of: record.id, in: record.scope, on: tx)
        try await EventRecorder(context: context).record(
            types, object: Presenter.subscription(record, latestPaymentIntent: latest?.paymentIntentID, publicBaseURL: context.config.publicBaseURL),
            objectID: record.id.rawValue, merchantID: record.scope.merchantID, livemode: record.scope.livemode, on: tx)
    }

    /// A renewal's payment intent, carrying the subscription, the period and the saved method it is charged with.
    /// The period's row is the proof that it is charged: a second one for the same period fails the transaction.
    private static func openPayment(
        of record: SubscriptionRecord, period: Int, payments: PaymentService, at now: Date, on tx: any SQLDatabase
    ) async throws {
        let s = record.subscription
        let metadata = record.metadata.merging(
            SubscriptionPaymentMetadata(subscriptionID: s.id, period: period, offSessionMethod: record.savedMethod).entries
        ) { _, reserved in reserved }
        let intent = try payments.newIntent(
            CreatePaymentIntentRequest(
                amount: s.amount.minorUnits, currency: s.amount.currency.code, captureMethod: nil,
                customerReference: record.customerReference, purchaseReference: nil,
                description: record.description ?? "Subscription \(s.id.rawValue), period \(period)", metadata: metadata,
                customer: record.customer.map(CustomerObject.init)),
            in: record.scope, idempotencyKey: nil, at: payments.context.clock.now())
        let data = JSONText.encode(Presenter.paymentIntent(PaymentIntentAggregate(intent: intent, attempts: [])))
        try await payments.insert(created: intent, data: data, on: tx)
        try await SubscriptionRepository().insertPeriod(
            SubscriptionPeriodRecord(subscriptionID: s.id, period: period, paymentIntentID: intent.id, start: s.currentPeriodStart, end: s.currentPeriodEnd),
            in: record.scope, at: now, on: tx)
    }

    /// The renewal job runs when something is due next. A subscription on a test clock has none: advancing its
    /// clock runs what is due.
    static func schedule(_ record: SubscriptionRecord, context: PayHubContext, now: Date, on tx: any SQLDatabase) async throws {
        guard record.testClockID == nil, !record.subscription.status.isTerminal else { return }
        let due: Date? = switch SubscriptionSchedule.next(record, now: now, dunning: context.config.dunning) {
        case .apply, .charge: context.clock.now()
        case .wait(let date): date
        }
        guard let due else { return }
        try await JobScheduler.enqueue(SubscriptionRenewalJob.job(subscription: record.id, at: due), ifExists: .rearm, context: context, on: tx)
    }
}

/// The time a subscription lives in: its test clock's frozen time, else the wall clock.
enum SubscriptionTime {
    static func now(of record: SubscriptionRecord, context: PayHubContext, on db: any SQLDatabase) async throws -> Date {
        guard let clock = record.testClockID else { return context.clock.now() }
        return try await TestClockRepository().frozenTime(of: clock, on: db) ?? context.clock.now()
    }
}

extension ServiceError {
    static func from(_ violation: SubscriptionRuleViolation) -> ServiceError {
        switch violation {
        case .currencyChange, .nothingToChange: invalid(violation.code, violation.description)
        default: conflict(violation.code, violation.description)
        }
    }
}
