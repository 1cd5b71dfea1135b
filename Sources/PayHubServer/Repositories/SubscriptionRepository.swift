import Foundation
import PayHubConnectors
import PayHubCore
import SQLKit

/// Subscriptions and their charged periods: the only code that reads or writes `subscriptions` and
/// `subscription_periods`. Tenant-facing methods take the scope; the renewal job, which knows a subscription by id
/// only, reads it through a `SystemScope`, and the record carries its scope.
struct SubscriptionRepository: Sendable {
    static let table = "subscriptions"
    private static let columns = """
        id, merchant_id, livemode, status, renewal, currency, amount, line_items, interval, interval_count, anchor, \
        anchor_period, current_period, current_period_start, current_period_end, paid_through, open_period, trial_end, \
        trial_will_end_sent, cancel_at_period_end, canceled_at, ended_at, end_date, max_renewals, pending_amount, \
        pending_interval, pending_interval_count, dunning_end, dunning_exhausted, dunning_failed_at, dunning_retries, \
        dunning_next_retry_at, customer, customer_reference, description, metadata, user_type, channel, country, \
        saved_method, saved_method_account_id, test_clock_id, checkout_session_id, recovery_payment_intent_id, recovery_url, created_at, updated_at, \
        idempotency_key, provider_subscription
        """

    func insert(_ record: SubscriptionRecord, on tx: any SQLDatabase) async throws {
        let s = record.subscription
        let values: [any Encodable & Sendable] = [
            s.id.rawValue, record.scope.merchantID, record.scope.livemode, s.status.rawValue, record.renewal.rawValue,
            s.amount.currency.code, s.amount.minorUnits, JSONText.encode(record.lines.map(StoredCheckoutLine.init)),
            s.interval.unit.rawValue, s.interval.count, s.anchor, s.anchorPeriod, s.currentPeriod, s.currentPeriodStart,
            s.currentPeriodEnd, s.paidThrough, s.openPeriod, s.trialEnd, record.trialWillEndSent, s.cancelAtPeriodEnd,
            s.canceledAt, s.endedAt, s.endDate, s.maxRenewals, s.pendingAmount?.minorUnits, s.pendingInterval?.unit.rawValue,
            s.pendingInterval?.count, s.dunningEnd.rawValue, s.dunningExhausted, record.dunning.failedAt, record.dunning.retries,
            record.dunning.nextRetryAt,
            record.customer.map { JSONText.encode(CustomerObject($0)) },
            record.customerReference, record.description, JSONText.encode(record.metadata), record.userType,
            record.channel.rawValue, record.country, record.savedMethod.map { JSONText.encode($0) }, record.savedMethodAccountID?.rawValue, record.testClockID?.rawValue,
            record.checkoutSessionID?.rawValue, record.recoveryPaymentIntentID?.rawValue, record.recoveryURL, s.createdAt,
            s.updatedAt, record.idempotencyKey, record.providerSubscription,
        ]
        try await tx.raw("INSERT INTO subscriptions (\(unsafeRaw: Self.columns)) VALUES (\(binds: values))").run()
    }

    func subscription(_ id: SubscriptionID, in scope: TenantScope, on db: any SQLDatabase) async throws -> SubscriptionRecord? {
        guard let row = try await db.raw(ScopedSelect.byID(id.rawValue, from: Self.table, columns: Self.columns, in: scope)).first()
        else { return nil }
        return try Self.record(row: row)
    }

    /// The subscription, whoever's it is: for the renewal job, which knows it by id only.
    func subscription(_ id: SubscriptionID, for _: SystemScope, on db: any SQLDatabase) async throws -> SubscriptionRecord? {
        guard let row = try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM subscriptions WHERE id = \(bind: id.rawValue)").first()
        else { return nil }
        return try Self.record(row: row)
    }

    /// The subscription, locked until the transaction ends.
    func lock(_ id: SubscriptionID, in scope: TenantScope, on tx: any SQLDatabase) async throws -> SubscriptionRecord? {
        try await tx.lockForUpdate(Self.table, id: id.rawValue)
        return try await subscription(id, in: scope, on: tx)
    }

    func subscription(createdByIdempotencyKey key: String, in scope: TenantScope, since: Date, on db: any SQLDatabase) async throws -> SubscriptionRecord? {
        let query = ScopedSelect.createdBy(idempotencyKey: key, from: Self.table, columns: Self.columns, in: scope, since: since)
        guard let row = try await db.raw(query).first() else { return nil }
        return try Self.record(row: row)
    }

    struct Filters {
        var status: SubscriptionStatus?
        var customerReference: String?
        var renewal: RenewalKind?
    }

    func subscriptions(in scope: TenantScope, filters: Filters, page: PageRequest, on db: any SQLDatabase) async throws -> RecordPage<SubscriptionRecord> {
        var where_: [SQLQueryString] = []
        if let status = filters.status { where_.append("status = \(bind: status.rawValue)") }
        if let reference = filters.customerReference { where_.append("customer_reference = \(bind: reference)") }
        if let renewal = filters.renewal { where_.append("renewal = \(bind: renewal.rawValue)") }
        let found = try await ScopedPage.rows(from: Self.table, columns: Self.columns, in: scope, filters: where_, page: page, on: db)
        return RecordPage(items: try found.rows.map(Self.record(row:)), hasMore: found.hasMore)
    }

    /// The ids of a test clock's subscriptions that may still have work, oldest first.
    func subscriptionIDs(following clock: TestClockID, in scope: TenantScope, on db: any SQLDatabase) async throws -> [SubscriptionID] {
        let rows = try await db.raw("""
            SELECT id FROM subscriptions WHERE test_clock_id = \(bind: clock.rawValue) AND merchant_id = \(bind: scope.merchantID) \
            AND livemode = \(bind: scope.livemode) AND status NOT IN ('incomplete_expired', 'canceled', 'expired') \
            ORDER BY created_at, id
            """).all()
        // Parsed in a synchronous function: a typed-throws initializer in this async one crashes the release
        // optimizer (CONTRIBUTING.md).
        return try rows.map(Self.subscriptionID(row:))
    }

    @inline(never)
    private static func subscriptionID(row: any SQLRow) throws -> SubscriptionID {
        let raw = try row.decode(column: "id", as: String.self)
        guard let id = SubscriptionID(validating: raw) else { throw StoredValueInvalid(table: table, column: "id", id: raw) }
        return id
    }

    /// Saves what `SubscriptionMachine` changes and what PayHub learns along the way (method, dunning, recovery).
    func save(_ record: SubscriptionRecord, on tx: any SQLDatabase) async throws {
        let s = record.subscription
        try await tx.raw("""
            UPDATE subscriptions SET status = \(bind: s.status.rawValue), renewal = \(bind: record.renewal.rawValue), amount = \(bind: s.amount.minorUnits), \
            interval = \(bind: s.interval.unit.rawValue), interval_count = \(bind: s.interval.count), anchor = \(bind: s.anchor), \
            anchor_period = \(bind: s.anchorPeriod), current_period = \(bind: s.currentPeriod), \
            current_period_start = \(bind: s.currentPeriodStart), current_period_end = \(bind: s.currentPeriodEnd), \
            paid_through = \(bind: s.paidThrough), open_period = \(bind: s.openPeriod), trial_end = \(bind: s.trialEnd), \
            trial_will_end_sent = \(bind: record.trialWillEndSent), cancel_at_period_end = \(bind: s.cancelAtPeriodEnd), \
            canceled_at = \(bind: s.canceledAt), ended_at = \(bind: s.endedAt), pending_amount = \(bind: s.pendingAmount?.minorUnits), \
            pending_interval = \(bind: s.pendingInterval?.unit.rawValue), pending_interval_count = \(bind: s.pendingInterval?.count), \
            dunning_exhausted = \(bind: s.dunningExhausted), dunning_failed_at = \(bind: record.dunning.failedAt), \
            dunning_retries = \(bind: record.dunning.retries), dunning_next_retry_at = \(bind: record.dunning.nextRetryAt), \
            saved_method = \(bind: record.savedMethod.map { JSONText.encode($0) }), \
            saved_method_account_id = \(bind: record.savedMethodAccountID?.rawValue), \
            recovery_payment_intent_id = \(bind: record.recoveryPaymentIntentID?.rawValue), recovery_url = \(bind: record.recoveryURL), \
            provider_subscription = \(bind: record.providerSubscription), updated_at = \(bind: s.updatedAt) \
            WHERE id = \(bind: s.id.rawValue) AND merchant_id = \(bind: record.scope.merchantID) AND livemode = \(bind: record.scope.livemode)
            """).run()
    }

    /// The subscription of a provider account's own subscription (automatic renewals): for that provider's webhooks,
    /// in the account's scope.
    func subscription(
        providerSubscription reference: String, account: ProviderAccountID, in scope: TenantScope, on db: any SQLDatabase
    ) async throws -> SubscriptionRecord? {
        guard let row = try await db.raw("""
            SELECT \(unsafeRaw: Self.columns) FROM subscriptions WHERE provider_subscription = \(bind: reference) \
            AND saved_method_account_id = \(bind: account.rawValue) AND merchant_id = \(bind: scope.merchantID) \
            AND livemode = \(bind: scope.livemode)
            """).first()
        else { return nil }
        return try Self.record(row: row)
    }

    // MARK: - Provider renewals

    /// Notes that the provider's renewal `reference` is PayHub's `period`, paid by `intent`. The primary key
    /// `(subscription_id, reference)` refuses a second record of one renewal, whatever raced.
    func insertProviderRenewal(
        _ reference: String, of id: SubscriptionID, period: Int, intent: PaymentIntentID, in scope: TenantScope, at now: Date,
        on tx: any SQLDatabase
    ) async throws {
        try await tx.raw("""
            INSERT INTO subscription_provider_renewals (subscription_id, reference, period, payment_intent_id, merchant_id, livemode, \
            created_at) VALUES (\(bind: id.rawValue), \(bind: reference), \(bind: period), \(bind: intent.rawValue), \
            \(bind: scope.merchantID), \(bind: scope.livemode), \(bind: now))
            """).run()
    }

    /// The period a provider's renewal was recorded as, if it was.
    func providerRenewal(_ reference: String, of id: SubscriptionID, in scope: TenantScope, on db: any SQLDatabase) async throws -> SubscriptionPeriodRecord? {
        guard let row = try await db.raw("""
            SELECT p.subscription_id, p.period, p.payment_intent_id, p.period_start, p.period_end FROM subscription_provider_renewals r \
            JOIN subscription_periods p ON p.subscription_id = r.subscription_id AND p.period = r.period \
            WHERE r.subscription_id = \(bind: id.rawValue) AND r.reference = \(bind: reference) \
            AND r.merchant_id = \(bind: scope.merchantID) AND r.livemode = \(bind: scope.livemode)
            """).first()
        else { return nil }
        return try Self.period(row: row)
    }

    // MARK: - Periods

    /// Notes that `period` is charged by `intent`. The primary key `(subscription_id, period)` refuses a second
    /// charge of one period, whatever raced.
    func insertPeriod(_ period: SubscriptionPeriodRecord, in scope: TenantScope, at now: Date, on tx: any SQLDatabase) async throws {
        try await tx.raw("""
            INSERT INTO subscription_periods (subscription_id, period, payment_intent_id, merchant_id, livemode, period_start, \
            period_end, created_at) VALUES (\(bind: period.subscriptionID.rawValue), \(bind: period.period), \
            \(bind: period.paymentIntentID.rawValue), \(bind: scope.merchantID), \(bind: scope.livemode), \(bind: period.start), \
            \(bind: period.end), \(bind: now))
            """).run()
    }

    /// The period an intent charges, if it charges one.
    func period(chargedBy intent: PaymentIntentID, in scope: TenantScope, on db: any SQLDatabase) async throws -> SubscriptionPeriodRecord? {
        guard let row = try await db.raw("""
            SELECT subscription_id, period, payment_intent_id, period_start, period_end FROM subscription_periods \
            WHERE payment_intent_id = \(bind: intent.rawValue) AND merchant_id = \(bind: scope.merchantID) \
            AND livemode = \(bind: scope.livemode)
            """).first()
        else { return nil }
        return try Self.period(row: row)
    }

    func period(_ number: Int, of id: SubscriptionID, in scope: TenantScope, on db: any SQLDatabase) async throws -> SubscriptionPeriodRecord? {
        guard let row = try await db.raw("""
            SELECT subscription_id, period, payment_intent_id, period_start, period_end FROM subscription_periods \
            WHERE subscription_id = \(bind: id.rawValue) AND period = \(bind: number) AND merchant_id = \(bind: scope.merchantID) \
            AND livemode = \(bind: scope.livemode)
            """).first()
        else { return nil }
        return try Self.period(row: row)
    }

    /// The newest charged period of a subscription, if any.
    func latestPeriod(of id: SubscriptionID, in scope: TenantScope, on db: any SQLDatabase) async throws -> SubscriptionPeriodRecord? {
        guard let row = try await db.raw("""
            SELECT subscription_id, period, payment_intent_id, period_start, period_end FROM subscription_periods \
            WHERE subscription_id = \(bind: id.rawValue) AND merchant_id = \(bind: scope.merchantID) \
            AND livemode = \(bind: scope.livemode) ORDER BY period DESC LIMIT 1
            """).first()
        else { return nil }
        return try Self.period(row: row)
    }

    func periodCount(of id: SubscriptionID, in scope: TenantScope, on db: any SQLDatabase) async throws -> Int {
        guard let row = try await db.raw("""
            SELECT COUNT(*) AS n FROM subscription_periods WHERE subscription_id = \(bind: id.rawValue) \
            AND merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode)
            """).first()
        else { return 0 }
        return try row.decode(column: "n", as: Int.self)
    }

    // MARK: - Recovery pages

    func insertRecovery(_ intent: PaymentIntentID, of id: SubscriptionID, period: Int, in scope: TenantScope, at now: Date, on tx: any SQLDatabase) async throws {
        try await tx.raw("""
            INSERT INTO subscription_recoveries (payment_intent_id, subscription_id, period, merchant_id, livemode, created_at) \
            VALUES (\(bind: intent.rawValue), \(bind: id.rawValue), \(bind: period), \(bind: scope.merchantID), \(bind: scope.livemode), \(bind: now))
            """).run()
    }

    /// Whether `intent` is a recovery page's intent for this period.
    func isRecovery(_ intent: PaymentIntentID, of id: SubscriptionID, period: Int, in scope: TenantScope, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("""
            SELECT payment_intent_id FROM subscription_recoveries WHERE payment_intent_id = \(bind: intent.rawValue) \
            AND subscription_id = \(bind: id.rawValue) AND period = \(bind: period) AND merchant_id = \(bind: scope.merchantID) \
            AND livemode = \(bind: scope.livemode)
            """).first() != nil
    }

    private static func period(row: any SQLRow) throws -> SubscriptionPeriodRecord {
        SubscriptionPeriodRecord(
            subscriptionID: try SubscriptionID(parsing: try row.decode(column: "subscription_id", as: String.self)),
            period: try row.decode(column: "period", as: Int.self),
            paymentIntentID: try PaymentIntentID(parsing: try row.decode(column: "payment_intent_id", as: String.self)),
            start: try row.decode(column: "period_start", as: Date.self),
            end: try row.decode(column: "period_end", as: Date.self))
    }

    private static func record(row: any SQLRow) throws -> SubscriptionRecord {
        let stored = try StoredRow(table: table, id: try row.decode(column: "id", as: String.self))
        let currency: Currency
        let interval: BillingInterval
        do {
            currency = try Currency(code: try row.decode(column: "currency", as: String.self))
        } catch {
            throw stored.invalid("currency")
        }
        do {
            interval = try BillingInterval(
                unit: try stored.parse(try row.decode(column: "interval", as: String.self), column: "interval"),
                count: try row.decode(column: "interval_count", as: Int.self))
        } catch {
            throw stored.invalid("interval_count")
        }
        var pendingInterval: BillingInterval?
        if let unit: String = try row.optional("pending_interval"), let count: Int = try row.optional("pending_interval_count") {
            do {
                pendingInterval = try BillingInterval(unit: try stored.parse(unit, column: "pending_interval"), count: count)
            } catch {
                throw stored.invalid("pending_interval_count")
            }
        }
        let createdAt = try row.decode(column: "created_at", as: Date.self)
        var s = Subscription(
            id: try stored.id(stored.id, column: "id"), amount: Money(minorUnits: try row.decode(column: "amount", as: Int64.self), currency: currency),
            interval: interval, createdAt: createdAt)
        s.status = try stored.parse(try row.decode(column: "status", as: String.self), column: "status")
        s.anchor = try row.decode(column: "anchor", as: Date.self)
        s.anchorPeriod = try row.decode(column: "anchor_period", as: Int.self)
        s.currentPeriod = try row.decode(column: "current_period", as: Int.self)
        s.currentPeriodStart = try row.decode(column: "current_period_start", as: Date.self)
        s.currentPeriodEnd = try row.decode(column: "current_period_end", as: Date.self)
        s.paidThrough = try row.optional("paid_through")
        s.openPeriod = try row.optional("open_period")
        s.trialEnd = try row.optional("trial_end")
        s.cancelAtPeriodEnd = try row.decode(column: "cancel_at_period_end", as: Bool.self)
        s.canceledAt = try row.optional("canceled_at")
        s.endedAt = try row.optional("ended_at")
        s.endDate = try row.optional("end_date")
        s.maxRenewals = try row.optional("max_renewals")
        let pendingAmount: Int64? = try row.optional("pending_amount")
        s.pendingAmount = pendingAmount.map { Money(minorUnits: $0, currency: currency) }
        s.pendingInterval = pendingInterval
        s.dunningEnd = try stored.parse(try row.decode(column: "dunning_end", as: String.self), column: "dunning_end")
        s.dunningExhausted = try row.decode(column: "dunning_exhausted", as: Bool.self)
        s.updatedAt = try row.decode(column: "updated_at", as: Date.self)
        let lines = try stored.json([StoredCheckoutLine].self, try row.decode(column: "line_items", as: String.self), column: "line_items")
        let customer: CustomerObject? = try (try row.optional("customer", as: String.self)).map {
            try stored.json(CustomerObject.self, $0, column: "customer")
        }
        let savedMethod: SavedPaymentMethod? = try (try row.optional("saved_method", as: String.self)).map {
            try stored.json(SavedPaymentMethod.self, $0, column: "saved_method")
        }
        let account: String? = try row.optional("saved_method_account_id")
        let clock: String? = try row.optional("test_clock_id")
        let session: String? = try row.optional("checkout_session_id")
        let recovery: String? = try row.optional("recovery_payment_intent_id")
        return SubscriptionRecord(
            subscription: s,
            scope: try TenantScope(row: row),
            renewal: try stored.parse(try row.decode(column: "renewal", as: String.self), column: "renewal"),
            lines: lines.map(\.line),
            customer: customer.map(\.details),
            customerReference: try row.optional("customer_reference"),
            description: try row.optional("description"),
            metadata: try stored.json([String: String].self, try row.decode(column: "metadata", as: String.self), column: "metadata"),
            userType: try row.optional("user_type"),
            channel: try stored.parse(try row.decode(column: "channel", as: String.self), column: "channel"),
            country: try row.optional("country"),
            savedMethod: savedMethod,
            savedMethodAccountID: try account.map { try stored.id($0, column: "saved_method_account_id") },
            testClockID: try clock.map { try stored.id($0, column: "test_clock_id") },
            checkoutSessionID: try session.map { try stored.id($0, column: "checkout_session_id") },
            trialWillEndSent: try row.decode(column: "trial_will_end_sent", as: Bool.self),
            dunning: SubscriptionDunning(
                failedAt: try row.optional("dunning_failed_at"), retries: try row.decode(column: "dunning_retries", as: Int.self),
                nextRetryAt: try row.optional("dunning_next_retry_at")),
            recoveryPaymentIntentID: try recovery.map { try stored.id($0, column: "recovery_payment_intent_id") },
            recoveryURL: try row.optional("recovery_url"),
            idempotencyKey: try row.optional("idempotency_key"),
            providerSubscription: try row.optional("provider_subscription"))
    }
}
