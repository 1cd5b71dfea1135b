import FluentKit
import Foundation
import Logging
import PayHubCore
import SQLKit

/// Checkout sessions: an order the shop's customer pays on PayHub's hosted page, through one payment intent that the
/// session owns. Creating one creates its intent (through `PaymentService`'s own path) and its expiry job in one
/// transaction; the session ends when its intent does (`CheckoutSessionCompletion`). It speaks the domain: it
/// returns records and throws `ServiceError`.
struct CheckoutSessionService: Sendable {
    let context: PayHubContext
    let db: any Database
    let logger: Logger

    var reader: any SQLDatabase { context.transactor.reader(db) }
    var sessions: CheckoutSessionRepository { CheckoutSessionRepository() }
    var payments: PaymentService { PaymentService(context: context, db: db, logger: logger) }

    // MARK: - API

    func create(_ input: CreateCheckoutSessionRequest, principal: Principal) async throws -> CheckoutSessionRecord {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        let now = context.clock.now()
        let scope = principal.scope
        let prepared = try prepare(input, in: scope, at: now)
        if let key = RequestIdempotency.key, let existing = try await sessions.session(
            createdByIdempotencyKey: key, in: scope, since: now.addingTimeInterval(-IdempotencyService.lifetime), on: reader) {
            // A retry of a request that created this session but died before its response was stored.
            return existing
        }
        let (context, payments) = (self.context, self.payments)
        try await context.transactor.writeSQL(on: db) { tx in
            try await prepared.insert(payments: payments, context: context, on: tx)
        }
        return prepared.record
    }

    /// A new session and its intent, validated and not stored yet: what `create` stores, and what a subscription
    /// stores with itself for its first payment (`intentMetadata` then names the subscription on the intent).
    struct Prepared: Sendable {
        var intent: PaymentIntentRecord
        var record: CheckoutSessionRecord
        var intentData: String

        /// Inside the caller's transaction: the intent, the session and its expiry job.
        func insert(payments: PaymentService, context: PayHubContext, on tx: any SQLDatabase) async throws {
            try await payments.insert(created: intent, data: intentData, on: tx)
            try await CheckoutSessionRepository().insert(record, on: tx)
            try await JobScheduler.enqueue(CheckoutSessionExpiryJob.job(session: record.id, at: record.session.expiresAt), context: context, on: tx)
        }
    }

    func prepare(
        _ input: CreateCheckoutSessionRequest, in scope: TenantScope, intentMetadata: [String: String] = [:], at now: Date
    ) throws -> Prepared {
        let totals = try order(input)
        let expiresAt: Date
        do {
            expiresAt = try CheckoutExpiry.expiresAt(requested: input.expiresAt, now: now)
        } catch {
            throw ServiceError.from(error)
        }
        try CheckoutInputRules.pages(success: input.successURL, cancel: input.cancelURL)
        let attributes = try CheckoutInputRules.attributes(userType: input.userType, channel: input.channel, country: input.country)
        let locale = try CheckoutInputRules.locale(input.locale)
        try CheckoutInputRules.theme(input.theme)
        let intent = try payments.newIntent(
            CreatePaymentIntentRequest(
                amount: totals.amountTotal, currency: totals.currency.code, captureMethod: input.captureMethod,
                customerReference: input.customerReference, purchaseReference: input.purchaseReference, description: nil,
                metadata: (input.metadata ?? [:]).merging(intentMetadata) { _, reserved in reserved }, customer: input.customer),
            in: scope, idempotencyKey: nil, at: now)
        let record = CheckoutSessionRecord(
            session: CheckoutSession(id: context.ids.make(), paymentIntentID: intent.id, totals: totals, expiresAt: expiresAt, createdAt: now),
            scope: scope, customer: intent.customer, customerReference: input.customerReference,
            purchaseReference: input.purchaseReference, successURL: input.successURL, cancelURL: input.cancelURL, locale: locale,
            userType: attributes.userType, channel: attributes.channel, country: attributes.country, metadata: input.metadata ?? [:],
            idempotencyKey: RequestIdempotency.key, theme: input.theme,
            subscriptionID: intentMetadata[SubscriptionPaymentMetadata.subscriptionKey].flatMap(SubscriptionID.init(validating:)))
        let intentData = JSONText.encode(Presenter.paymentIntent(PaymentIntentAggregate(intent: intent, attempts: [])))
        return Prepared(intent: intent, record: record, intentData: intentData)
    }

    func retrieve(_ id: String, principal: Principal) async throws -> CheckoutSessionRecord {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        guard let sessionID = CheckoutSessionID(validating: id),
              let record = try await sessions.session(sessionID, in: principal.scope, on: reader)
        else { throw ServiceError.notFound("checkout_session", id: id) }
        return record
    }

    func list(principal: Principal, page: PageRequest) async throws -> RecordPage<CheckoutSessionRecord> {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        let status = try InputRules.statusFilter(page, as: CheckoutSessionStatus.self)
        let intent = page.filters["payment_intent"]
        if let intent, PaymentIntentID(validating: intent) == nil {
            throw ServiceError.invalid("parameter_invalid", "payment_intent must be a payment intent id (pi_...).", param: "payment_intent")
        }
        return try await sessions.sessions(in: principal.scope, status: status, paymentIntent: intent, page: page, on: reader)
    }

    /// The shop ends the session now. Its intent is canceled unless it is paid or still processing (a 409): the
    /// customer can no longer pay.
    func expire(_ id: String, principal: Principal) async throws -> CheckoutSessionRecord {
        try await expire(try await retrieve(id, principal: principal))
    }

    /// PayHub itself ends an open session (one opened through a payment link that has ended), as the shop's
    /// `expire` does.
    func expire(_ id: CheckoutSessionID, in scope: TenantScope) async throws -> CheckoutSessionRecord {
        guard let record = try await sessions.session(id, in: scope, on: reader) else {
            throw ServiceError.notFound("checkout_session", id: id.rawValue)
        }
        return try await expire(record)
    }

    // MARK: - Expiry

    /// What the expiry job should do next with a session.
    enum ExpiryRun: Equatable {
        case done
        case checkAgain(at: Date)
    }

    /// The expiry job's run: expires the session once its time is up; a payment still processing is waited for.
    func expireOnTime(_ id: CheckoutSessionID) async throws -> ExpiryRun {
        guard let record = try await sessions.session(id, for: .checkoutExpiry, on: reader), record.session.status == .open else {
            return .done
        }
        let now = context.clock.now()
        guard now >= record.session.expiresAt else { return .checkAgain(at: record.session.expiresAt) }
        do {
            _ = try await expire(record)
            return .done
        } catch let error as ServiceError where error.code == Self.paymentProcessing.code {
            return .checkAgain(at: now.addingTimeInterval(Self.processingRecheck))
        } catch {
            // The customer paid meanwhile (the session is complete): nothing left to expire.
            if try await sessions.session(id, in: record.scope, on: reader)?.session.status.isFinal == true { return .done }
            throw error
        }
    }

    /// How long the expiry job waits for a payment that is processing when the session's time runs out.
    static let processingRecheck: TimeInterval = 300

    static let paymentProcessing = ServiceError.conflict(
        "checkout_session_payment_processing",
        "The checkout session's payment is processing; it cannot be expired until the provider says how it ended.")

    /// Expires an open session by canceling its intent: the cancellation expires the session in its own transaction
    /// (`CheckoutSessionCompletion`). An intent that is paid or processing is not canceled.
    private func expire(_ record: CheckoutSessionRecord) async throws -> CheckoutSessionRecord {
        switch record.session.status {
        case .expired: return record
        case .complete: throw ServiceError.from(CheckoutRuleViolation.sessionComplete(record.id))
        case .open: break
        }
        let payment = try await payments.current(record.session.paymentIntentID, in: record.scope)
        switch payment.intent.intent.status {
        case .processing:
            throw Self.paymentProcessing
        case .succeeded, .requiresCapture:
            throw ServiceError.from(CheckoutRuleViolation.sessionComplete(record.id))
        case .canceled:
            return try await expireWithoutIntent(record)
        case .requiresPaymentMethod, .requiresAction:
            do {
                _ = try await payments.cancel(payment, reason: .expired)
            } catch {
                // Paid, or expired by a concurrent request, meanwhile: the session says how it stands. Read on the
                // writer, which sees that change even while its commit is still being grouped (SQLite).
                let sessions = self.sessions
                let current = try await context.transactor.writeSQL(on: db) { tx in
                    try await sessions.session(record.id, in: record.scope, on: tx)
                }
                guard let current else { throw ServiceError.notFound("checkout_session", id: record.id.rawValue) }
                switch current.session.status {
                case .expired: return current
                case .complete: throw ServiceError.from(CheckoutRuleViolation.sessionComplete(record.id))
                case .open: throw error
                }
            }
            return try await reload(record)
        }
    }

    /// A session whose intent was canceled without it: expired on its own, in one transaction with its event.
    private func expireWithoutIntent(_ record: CheckoutSessionRecord) async throws -> CheckoutSessionRecord {
        let (sessions, context) = (self.sessions, self.context)
        return try await context.transactor.writeSQL(on: db) { tx in
            guard let locked = try await sessions.lock(record.id, in: record.scope, on: tx) else {
                throw ServiceError.notFound("checkout_session", id: record.id.rawValue)
            }
            let transition: CheckoutSessionTransition
            do {
                transition = try CheckoutSessionMachine.expire(locked.session, at: context.clock.now())
            } catch let violation as CheckoutRuleViolation {
                throw ServiceError.from(violation)
            }
            return try await CheckoutSessionCompletion.save(transition, of: locked, context: context, on: tx)
        }
    }

    private func reload(_ record: CheckoutSessionRecord) async throws -> CheckoutSessionRecord {
        guard let current = try await sessions.session(record.id, in: record.scope, on: reader) else {
            throw ServiceError.notFound("checkout_session", id: record.id.rawValue)
        }
        return current
    }

    // MARK: - Input

    /// The order: one amount, or line items with their tax; never both (a payment link's order is checked here too).
    func order(_ input: CreateCheckoutSessionRequest) throws -> CheckoutTotals {
        let maximum = context.config.maximumAmount
        switch (input.amount, input.lineItems) {
        case (.some, .some):
            throw ServiceError.invalid("parameters_exclusive", "Send either amount or line_items, not both.", param: "line_items")
        case (nil, nil):
            throw ServiceError.invalid("parameter_missing", "Send amount, or line_items, with currency.", param: "amount")
        case (let amount?, nil):
            do {
                return .single(try Money.chargeable(amount: amount, currencyCode: input.currency, maximum: maximum))
            } catch {
                throw ServiceError.from(error, param: "amount")
            }
        case (nil, let items?):
            let currency: Currency
            do {
                currency = try Currency(code: input.currency)
            } catch {
                throw ServiceError.from(error, param: "currency")
            }
            for (index, item) in items.enumerated() {
                try InputRules.text(item.name, max: CheckoutLineItem.maximumNameLength, param: "line_items.\(index).name")
                try InputRules.text(item.category, max: 64, param: "line_items.\(index).category")
            }
            do {
                return try CheckoutTotals.compute(
                    items.map {
                        CheckoutLineItem(name: $0.name, quantity: $0.quantity, unitAmount: $0.unitAmount, taxRate: $0.taxRate, category: $0.category)
                    },
                    currency: currency, maximum: maximum)
            } catch {
                throw ServiceError.from(error)
            }
        }
    }
}

extension ServiceError {
    static func from(_ violation: CheckoutRuleViolation) -> ServiceError {
        violation.isInvalidInput
            ? invalid(violation.code, violation.description, param: violation.param)
            : conflict(violation.code, violation.description)
    }
}
