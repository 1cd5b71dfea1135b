import FluentKit
import Foundation
import Logging
import PayHubConnectors
import PayHubCore
import SQLKit

/// Subscriptions through the API. Creating one stores it with its first payment's hosted checkout session (whose
/// intent is period 1's: the customer pays on the page, or the merchant attempts it by API, and either way the
/// method is saved for the renewals) in one transaction with `customer.subscription.created`. Every later change
/// goes through `SubscriptionChanges`. It speaks the domain: it returns records and throws `ServiceError`.
struct SubscriptionService: Sendable {
    let context: PayHubContext
    let db: any Database
    let logger: Logger

    var reader: any SQLDatabase { context.transactor.reader(db) }
    var subscriptions: SubscriptionRepository { SubscriptionRepository() }
    var payments: PaymentService { PaymentService(context: context, db: db, logger: logger) }
    var providerSubscriptions: ProviderSubscriptions { ProviderSubscriptions(context: context, db: db, logger: logger) }

    struct Presented: Sendable {
        var record: SubscriptionRecord
        var latestPaymentIntent: PaymentIntentID?
    }

    func create(_ input: CreateSubscriptionRequest, principal: Principal) async throws -> Presented {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        let scope = principal.scope
        let plan = try SubscriptionInputRules.plan(input)
        let clock = try await testClock(input.testClock, in: scope)
        let now = clock?.frozenTime ?? context.clock.now()
        let wallNow = context.clock.now()
        let expiration = try SubscriptionInputRules.expiration(input, now: now)
        let requestedRenewal = try Self.requestedRenewal(input.renewal)
        try InputRules.text(input.customer?.customerReference, max: 255, param: "customer.customer_reference")
        try InputRules.text(input.description, max: 1000, param: "description")
        try InputRules.customer(input.customer?.details)

        if let key = RequestIdempotency.key, let existing = try await subscriptions.subscription(
            createdByIdempotencyKey: key, in: scope, since: wallNow.addingTimeInterval(-IdempotencyService.lifetime), on: reader) {
            return try await presented(existing)
        }
        let id: SubscriptionID = context.ids.make()
        let sessionInput = CreateCheckoutSessionRequest(
            amount: input.amount, currency: input.currency, lineItems: input.lineItems, customer: input.customer?.details,
            customerReference: input.customer?.customerReference, successURL: input.successURL, cancelURL: input.cancelURL,
            locale: input.customer?.locale.flatMap(CustomerLocale.init(tag:))?.rawValue, metadata: input.metadata,
            userType: input.userType, channel: input.channel, country: input.country)
        let sessions = CheckoutSessionService(context: context, db: db, logger: logger)
        let totals = try sessions.order(sessionInput)
        let subscription = Subscription(
            id: id, amount: Money(minorUnits: totals.amountTotal, currency: totals.currency), interval: plan.interval,
            trialDays: expiration.trialDays, startDate: expiration.startDate, endDate: expiration.endDate,
            maxRenewals: expiration.maxRenewals, dunningEnd: plan.dunningEnd, createdAt: now)
        let renewal = try await renewalKind(
            requestedRenewal, currency: subscription.amount.currency, providerCannot: Self.providerCannotRun(subscription, clock: clock), in: scope)
        // Without a trial the first period is paid now, through a hosted checkout session of its own.
        var prepared: CheckoutSessionService.Prepared?
        if subscription.status == .incomplete {
            prepared = try sessions.prepare(
                sessionInput, in: scope, intentMetadata: SubscriptionPaymentMetadata(subscriptionID: id, period: 1).entries, at: wallNow)
        }
        let attributes = try CheckoutInputRules.attributes(userType: input.userType, channel: input.channel, country: input.country)
        let record = SubscriptionRecord(
            subscription: subscription, scope: scope, renewal: renewal, lines: totals.lines,
            customer: input.customer.map(\.details.details),
            customerReference: input.customer?.customerReference, description: input.description, metadata: input.metadata ?? [:],
            userType: attributes.userType, channel: attributes.channel ?? .web, country: attributes.country, savedMethod: nil,
            savedMethodAccountID: nil, testClockID: clock?.id, checkoutSessionID: prepared?.record.id, trialWillEndSent: false,
            dunning: .none, recoveryPaymentIntentID: nil, recoveryURL: nil, idempotencyKey: RequestIdempotency.key)
        let (payments, context, first, started) = (self.payments, self.context, prepared, subscription)
        try await context.transactor.writeSQL(on: db) { tx in
            try await SubscriptionRepository().insert(record, on: tx)
            if let prepared = first {
                try await prepared.insert(payments: payments, context: context, on: tx)
                try await SubscriptionRepository().insertPeriod(
                    SubscriptionPeriodRecord(
                        subscriptionID: id, period: 1, paymentIntentID: prepared.intent.id, start: started.currentPeriodStart,
                        end: started.currentPeriodEnd),
                    in: scope, at: now, on: tx)
            }
            try await SubscriptionChanges.recordEvents([.customerSubscriptionCreated], of: record, context: context, on: tx)
            try await SubscriptionChanges.schedule(record, context: context, now: now, on: tx)
        }
        return Presented(record: record, latestPaymentIntent: prepared?.intent.id)
    }

    func retrieve(_ id: String, principal: Principal) async throws -> Presented {
        try await presented(try await load(id, principal: principal))
    }

    func list(principal: Principal, page: PageRequest) async throws -> RecordPage<SubscriptionRecord> {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        let status = try InputRules.statusFilter(page, as: SubscriptionStatus.self)
        var renewal: RenewalKind?
        if let raw = page.filters["renewal"] {
            guard let kind = RenewalKind(rawValue: raw) else {
                throw ServiceError.invalid("parameter_invalid", "renewal must be automatic or manual.", param: "renewal")
            }
            renewal = kind
        }
        let reference = page.filters["customer_reference"]
        try InputRules.text(reference, max: 255, param: "customer_reference")
        return try await subscriptions.subscriptions(
            in: principal.scope, filters: .init(status: status, customerReference: reference, renewal: renewal), page: page, on: reader)
    }

    /// Cancels at the end of the paid period (the default: it stays active until then and is never charged again)
    /// or now. Canceling now also cancels the open payment, so the customer can no longer pay it.
    func cancel(_ id: String, atPeriodEnd: Bool?, principal: Principal) async throws -> Presented {
        let record = try await load(id, principal: principal)
        if record.isProviderRun {
            let canceled = try await providerSubscriptions.cancel(record, atPeriodEnd: atPeriodEnd ?? true)
            if canceled.subscription.status == .canceled { try await cancelOpenPayments(of: record) }
            return try await presented(canceled)
        }
        let applied = try await change(.cancel(atPeriodEnd: atPeriodEnd ?? true), record)
        if applied.record.subscription.status == .canceled {
            try await cancelOpenPayments(of: record)
        }
        return try await presented(applied.record)
    }

    func resume(_ id: String, principal: Principal) async throws -> Presented {
        let record = try await load(id, principal: principal)
        if record.isProviderRun { return try await presented(try await providerSubscriptions.resume(record)) }
        return try await presented(try await change(.resume, record).record)
    }

    /// A new amount or interval from the next renewal on; new metadata at once.
    func update(_ id: String, input: UpdateSubscriptionRequest, principal: Principal) async throws -> Presented {
        let record = try await load(id, principal: principal)
        let interval = try SubscriptionInputRules.interval(unit: input.interval, count: input.intervalCount, current: record.subscription.interval)
        var amount: Money?
        if let requested = input.amount {
            do {
                amount = try Money.chargeable(amount: requested, currencyCode: record.subscription.amount.currency.code, maximum: context.config.maximumAmount)
            } catch {
                throw ServiceError.from(error, param: "amount")
            }
        }
        if amount == nil && interval == nil {
            guard let metadata = input.metadata else {
                throw ServiceError.invalid("parameter_missing", "Send amount, interval, interval_count or metadata.", param: "amount")
            }
            let changed = try await change(.changePlan(amount: nil, interval: nil), record, acceptNothingToChange: true) { $0.metadata = metadata }
            return try await presented(changed.record)
        }
        if record.isProviderRun {
            return try await presented(try await providerSubscriptions.changePlan(record, amount: amount, interval: interval, metadata: input.metadata))
        }
        let applied = try await change(.changePlan(amount: amount, interval: interval), record) { next in
            if let metadata = input.metadata { next.metadata = metadata }
        }
        return try await presented(applied.record)
    }

    // MARK: - Internals

    private func change(
        _ command: SubscriptionCommand, _ record: SubscriptionRecord, acceptNothingToChange: Bool = false,
        adjust: @escaping @Sendable (inout SubscriptionRecord) -> Void = { _ in }
    ) async throws -> SubscriptionChanges.Applied {
        let payments = self.payments
        return try await context.transactor.writeSQL(on: db) { tx in
            if acceptNothingToChange {
                guard var locked = try await SubscriptionRepository().lock(record.id, in: record.scope, on: tx) else {
                    throw ServiceError.notFound("subscription", id: record.id.rawValue)
                }
                guard !locked.subscription.status.isTerminal else {
                    throw ServiceError.from(SubscriptionRuleViolation.unexpectedState(locked.subscription.status, command: "update"))
                }
                adjust(&locked)
                locked.subscription.updatedAt = try await SubscriptionTime.now(of: locked, context: payments.context, on: tx)
                try await SubscriptionRepository().save(locked, on: tx)
                try await SubscriptionChanges.recordEvents([.customerSubscriptionUpdated], of: locked, context: payments.context, on: tx)
                return SubscriptionChanges.Applied(record: locked, transition: SubscriptionTransition(subscription: locked.subscription, events: [.customerSubscriptionUpdated]))
            }
            return try await SubscriptionChanges.apply(command, to: record.id, in: record.scope, payments: payments, on: tx) { next, _ in adjust(&next) }
        }
    }

    private func cancelOpenPayments(of record: SubscriptionRecord) async throws {
        guard let period = record.subscription.openPeriod else { return }
        try await SubscriptionRenewals(context: context, db: db, logger: logger).cancelPayment(of: record, period: period)
    }

    private func load(_ id: String, principal: Principal) async throws -> SubscriptionRecord {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        guard let subscriptionID = SubscriptionID(validating: id),
              let record = try await subscriptions.subscription(subscriptionID, in: principal.scope, on: reader)
        else { throw ServiceError.notFound("subscription", id: id) }
        return record
    }

    func presented(_ record: SubscriptionRecord) async throws -> Presented {
        Presented(record: record, latestPaymentIntent: try await subscriptions.latestPeriod(of: record.id, in: record.scope, on: reader)?.paymentIntentID)
    }

    private func testClock(_ raw: String?, in scope: TenantScope) async throws -> TestClockRecord? {
        guard let raw else { return nil }
        guard !scope.livemode else {
            throw ServiceError.invalid("test_clock_livemode", "Test clocks exist in test mode only.", param: "test_clock")
        }
        guard let id = TestClockID(validating: raw), let clock = try await TestClockRepository().clock(id, in: scope, on: reader) else {
            throw ServiceError.notFound("test_clock", id: raw, param: "test_clock")
        }
        return clock
    }

    static func requestedRenewal(_ raw: String?) throws -> RenewalKind? {
        guard let raw else { return nil }
        guard let kind = RenewalKind(rawValue: raw) else {
            throw ServiceError.invalid("parameter_invalid", "renewal must be automatic or manual.", param: "renewal")
        }
        return kind
    }

    /// Why a provider could not run this subscription's renewals, if it could not: the provider's subscription
    /// begins from the method a first payment saves, and follows the provider's own time.
    static func providerCannotRun(_ subscription: Subscription, clock: TestClockRecord?) -> String? {
        if subscription.status != .incomplete { return "a trial or a later start_date saves no payment method up front" }
        if subscription.endDate != nil || subscription.maxRenewals != nil { return "end_date and max_renewals are PayHub's own" }
        if clock != nil { return "a provider does not follow PayHub's test clocks" }
        return nil
    }

    /// As asked (`automatic` needs an account that runs subscriptions itself, Stripe, which the first payment then
    /// names), or by default `automatic` where every account a card payment is routed to runs them and nothing in
    /// the subscription stands in the way, `manual` otherwise (a first payment made elsewhere also makes it manual).
    /// PayHub's own renewals need a provider account that charges a saved card off-session.
    private func renewalKind(_ requested: RenewalKind?, currency: Currency, providerCannot: String?, in scope: TenantScope) async throws -> RenewalKind {
        let availability = try await ProviderSubscriptions.availability(currency: currency, in: scope, context: context, db: db)
        if requested == .automatic {
            guard availability != .none else {
                throw RenewalUnsupported(
                    message: "No provider account of this merchant runs subscriptions itself for card payments in \(currency.code); use renewal 'manual'.")
            }
            if let providerCannot {
                throw RenewalUnsupported(message: "Automatic renewals are not possible here: \(providerCannot).")
            }
            return .automatic
        }
        if requested == nil && availability == .routed && providerCannot == nil { return .automatic }
        let accounts = try await ProviderAccountRepository().enabled(in: scope, provider: nil, on: reader)
        let canSave = accounts.contains { account in
            guard let connector = context.connectors[account.provider] else { return false }
            return connector.capabilities.savedMethods.contains("card") && (!scope.livemode || connector.capabilities.liveMode)
        }
        guard canSave else {
            throw RenewalUnsupported(message: "No provider account of this merchant can save a card for PayHub's own renewals.")
        }
        return .manual
    }
}

/// No provider account of the merchant can renew the subscription the way it asks (the API: 422
/// `renewal_unsupported`, naming `renewal`).
struct RenewalUnsupported: Error, Equatable {
    var message: String
}

extension SubscriptionRecord {
    /// Whether the provider runs it now: automatic, past its first payment.
    var isProviderRun: Bool { renewal == .automatic && subscription.status != .incomplete }
}
