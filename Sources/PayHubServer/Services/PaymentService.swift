import Fluent
import Foundation
import Logging
import PayHubConnectors
import PayHubCore
import SQLKit

/// Payment intents and their attempts. Every change goes through `PaymentMachine` inside one transaction that
/// also writes its events; providers are called between transactions, never inside one.
struct PaymentService: Sendable {
    let context: PayHubContext
    let db: any Database
    let logger: Logger

    private var events: EventRecorder { EventRecorder(context: context) }
    /// Reads outside a transaction.
    private var reader: any SQLDatabase { context.transactor.reader(db) }
    private var accounts: ProviderAccountService { ProviderAccountService(context: context, db: db) }

    // MARK: - Intents

    func create(_ input: CreatePaymentIntentRequest, principal: Principal) async throws -> PaymentIntentObject {
        guard principal.isSecretKey else { throw APIError.secretKeyRequired }
        let money: Money
        do {
            money = try Money.chargeable(amount: input.amount, currencyCode: input.currency, maximum: context.config.maximumAmount)
        } catch {
            throw APIError.from(error, param: "amount")
        }
        let captureMethod = try input.captureMethod.map { raw in
            guard let method = CaptureMethod(rawValue: raw) else {
                throw APIError.invalid("parameter_invalid", "capture_method must be automatic or manual.", param: "capture_method")
            }
            return method
        } ?? .automatic
        try InputRules.text(input.customerReference, max: 255, param: "customer_reference")
        try InputRules.text(input.purchaseReference, max: 255, param: "purchase_reference")
        try InputRules.text(input.description, max: 1000, param: "description")
        try InputRules.customer(input.customer)

        let now = context.clock.now()
        if let key = RequestIdempotency.key, let existing = try await PaymentIntentModel.created(
            byIdempotencyKey: key, merchantID: principal.merchantID, livemode: principal.livemode,
            since: now.addingTimeInterval(-IdempotencyService.lifetime), on: reader) {
            // A retry of a request that created this intent but died before its response was stored.
            var object = Presenter.paymentIntent(existing, attempts: try await attempts(of: existing.id ?? ""))
            object.clientToken = try await context.clientTokens.sign(
                intentID: existing.id ?? "", merchantID: principal.merchantID, livemode: principal.livemode, now: now)
            return object
        }
        let id = (context.ids.make() as PaymentIntentID).rawValue
        let model = PaymentIntentModel()
        model.id = id
        model.idempotencyKey = RequestIdempotency.key
        model.merchantID = principal.merchantID
        model.livemode = principal.livemode
        model.amount = money.minorUnits
        model.currency = money.currency.code
        model.captureMethod = captureMethod.rawValue
        model.customerReference = input.customerReference
        model.purchaseReference = input.purchaseReference
        model.paymentDescription = input.description
        model.metadata = JSONText.encode(input.metadata ?? [:])
        model.customer = input.customer.map { JSONText.encode(CustomerObject(name: $0.name, email: $0.email, phone: $0.phone, locale: $0.locale)) }
        model.createdAt = now
        model.update(from: PaymentIntent(id: PaymentIntentID(rawValue: id), amount: money, captureMethod: captureMethod, createdAt: now))

        let object = Presenter.paymentIntent(model, attempts: [])
        let data = JSONText.encode(object)
        let events = self.events
        try await context.transactor.writeSQL(on: db) { tx in
            try await model.insert(on: tx)
            try await events.record(
                [.paymentIntentCreated], data: data, objectID: id, merchantID: principal.merchantID,
                livemode: principal.livemode, on: tx)
        }
        var created = object
        created.clientToken = try await context.clientTokens.sign(
            intentID: id, merchantID: principal.merchantID, livemode: principal.livemode, now: now)
        return created
    }

    func retrieve(_ id: String, principal: Principal) async throws -> PaymentIntentObject {
        let model = try await load(id, principal: principal)
        return Presenter.paymentIntent(model, attempts: try await attempts(of: id))
    }

    func list(principal: Principal, page: PageRequest) async throws -> ListObject<PaymentIntentObject> {
        guard principal.isSecretKey else { throw APIError.secretKeyRequired }
        if let status = page.filters["status"], PaymentIntentStatus(rawValue: status) == nil {
            throw APIError.invalid("parameter_invalid", "Unknown status '\(status)'.", param: "status")
        }
        let db = self.db
        let result = try await Paginator.page(
            {
                var query = PaymentIntentModel.query(on: db)
                    .filter(\.$merchantID == principal.merchantID).filter(\.$livemode == principal.livemode)
                if let status = page.filters["status"] { query = query.filter(\.$status == status) }
                return query
            },
            request: page, created: \.$createdAt, id: \.$id,
            cursor: { try await self.find($0, principal: principal) })
        let ids = result.items.compactMap(\.id)
        let allAttempts = ids.isEmpty ? [] : try await PaymentAttemptModel.query(on: db).filter(\.$paymentIntentID ~~ ids).all()
        let byIntent = Dictionary(grouping: allAttempts, by: \.paymentIntentID)
        return ListObject(
            data: result.items.map { Presenter.paymentIntent($0, attempts: byIntent[$0.id ?? ""] ?? []) },
            hasMore: result.hasMore, url: "/v1/payment_intents")
    }

    // MARK: - Attempts

    func attempt(_ id: String, input: AttemptPaymentRequest, principal: Principal) async throws -> PaymentIntentObject {
        let intent = try await load(id, principal: principal)
        if let key = RequestIdempotency.key, let earlier = try await attempts(of: id).first(where: { $0.idempotencyKey == key }) {
            // A retry of a request that started this attempt but died before its response was stored.
            return try await resume(earlier)
        }
        let method = try InputRules.paymentMethod(input.paymentMethod)
        try InputRules.url(input.returnURL, param: "return_url")
        let currency = try Currency(code: intent.currency)
        let (account, connector) = try await accounts.resolve(
            provider: input.provider, methodType: method.type, currency: currency,
            merchantID: principal.merchantID, livemode: principal.livemode)
        if intent.captureMethod == CaptureMethod.manual.rawValue && !connector.capabilities.manualCapture {
            throw APIError.invalid("capture_method_unsupported", "Provider '\(connector.name)' cannot capture manually.", param: "provider")
        }

        let now = context.clock.now()
        let attemptID = (context.ids.make() as PaymentAttemptID).rawValue
        let attempt = PaymentAttemptModel()
        attempt.id = attemptID
        attempt.paymentIntentID = id
        attempt.merchantID = principal.merchantID
        attempt.livemode = principal.livemode
        attempt.provider = connector.name
        attempt.providerAccountID = account.id ?? ""
        attempt.methodType = method.type
        attempt.paymentMethod = JSONText.encode(PaymentMethodObject(
            type: method.type, token: method.token, msisdn: method.msisdn, country: method.country, network: method.network))
        attempt.returnURL = input.returnURL
        attempt.idempotencyKey = RequestIdempotency.key
        attempt.createdAt = now
        attempt.status = PaymentAttemptStatus.pending.rawValue
        attempt.updatedAt = now
        let domainAttempt = PaymentAttempt(
            id: PaymentAttemptID(rawValue: attemptID), paymentIntentID: PaymentIntentID(rawValue: id),
            provider: connector.name, methodType: method.type, createdAt: now)
        try await start(domainAttempt, model: attempt)

        let request = ConnectorPaymentRequest(
            attemptID: domainAttempt.id, paymentIntentID: domainAttempt.paymentIntentID,
            amount: Money(minorUnits: intent.amount, currency: currency),
            captureMethod: CaptureMethod(rawValue: intent.captureMethod) ?? .automatic, method: method,
            returnURL: input.returnURL, description: intent.paymentDescription,
            customer: intent.customer.flatMap { JSONText.decode(CustomerObject.self, from: $0) }.map {
                CustomerDetails(name: $0.name, email: $0.email, phone: $0.phone, locale: $0.locale)
            },
            idempotencyKey: attemptID)
        let result = await call(connector, account: account) { connector, context in
            try await connector.authorize(request, context: context)
        } ?? .unknown
        let object = try await record(result, attemptID: attemptID, intentID: id, returnURL: input.returnURL)
        context.metrics.payment(provider: connector.name, outcome: result.outcome.metricName)
        try Self.throwIfFailed(result.outcome, object: object)
        return object
    }

    /// Finishes what the first try of a request started: asks the provider again (under the attempt's own
    /// idempotency key, so the customer is charged once) if it never answered, then answers as the first try would.
    private func resume(_ attempt: PaymentAttemptModel) async throws -> PaymentIntentObject {
        let intentID = attempt.paymentIntentID
        if !attempt.domain().status.isFinal && attempt.providerReference == nil {
            try await refresh(attempt)
        }
        guard let intent = try await PaymentIntentModel.find(intentID, on: reader) else {
            throw APIError.notFound("payment_intent", id: intentID)
        }
        let attempts = try await attempts(of: intentID)
        let object = Presenter.paymentIntent(intent, attempts: attempts)
        if let current = attempts.first(where: { $0.id == attempt.id })?.domain(), current.status == .failed, let failure = current.failure {
            try Self.throwIfFailed(.failed(failure), object: object)
        }
        return object
    }

    func authenticate(_ id: String, attemptID: String, otp: String, principal: Principal) async throws -> PaymentIntentObject {
        _ = try await load(id, principal: principal)
        guard (1...32).contains(otp.count) else { throw APIError.invalid("parameter_invalid", "otp must have 1 to 32 characters.", param: "otp") }
        guard let attempt = try await PaymentAttemptModel.query(on: db)
            .filter(\.$id == attemptID).filter(\.$paymentIntentID == id).first()
        else { throw APIError.notFound("payment", id: attemptID, param: "payment_id") }
        guard case .otp? = attempt.domain().nextAction, attempt.status == PaymentAttemptStatus.requiresAction.rawValue,
              let reference = attempt.providerReference
        else { throw APIError.conflict("payment_attempt_unexpected_state", "This payment is not waiting for an OTP.") }
        let (account, connector) = try await provider(of: attempt)
        let result = await call(connector, account: account) { connector, context in
            try await connector.authenticate(reference: reference, otp: otp, context: context)
        } ?? .unknown
        let object = try await record(result, attemptID: attemptID, intentID: id, returnURL: attempt.returnURL)
        try Self.throwIfFailed(result.outcome, object: object)
        return object
    }

    func capture(_ id: String, amount: Int64?, principal: Principal) async throws -> PaymentIntentObject {
        guard principal.isSecretKey else { throw APIError.secretKeyRequired }
        let intent = try await load(id, principal: principal)
        let attempt = try await activeAttempt(of: intent)
        let now = context.clock.now()
        do {
            _ = try PaymentMachine.apply(.capture(amount: amount), to: try intent.domain(), attempt: attempt?.domain(), at: now)
        } catch let error as PaymentRuleViolation {
            throw APIError.from(error)
        }
        guard let attempt, let reference = attempt.providerReference else {
            throw APIError.conflict("payment_intent_unexpected_state", "This payment intent has no authorisation to capture.")
        }
        let (account, connector) = try await provider(of: attempt)
        let toCapture = Money(minorUnits: amount ?? intent.amountCapturable, currency: try Currency(code: intent.currency))
        let result: ConnectorPaymentResult
        do {
            result = try await connector.capture(reference: reference, amount: toCapture, context: try context.connectorContext(for: account))
        } catch let error as ConnectorError {
            throw APIError.from(error)
        }
        if case .failed(let failure) = result.outcome {
            throw APIError(status: .paymentRequired, kind: .card, code: failure.code, message: failure.message, declineCode: failure.declineCode)
        }
        return try await apply(.capture(amount: amount), intentID: id, attemptID: attempt.id)
    }

    func cancel(_ id: String, reason: String?, principal: Principal) async throws -> PaymentIntentObject {
        guard principal.isSecretKey else { throw APIError.secretKeyRequired }
        let cancellationReason = try reason.map { raw in
            guard let parsed = CancellationReason(rawValue: raw), parsed != .expired else {
                throw APIError.invalid(
                    "parameter_invalid", "cancellation_reason must be duplicate, fraudulent, requested_by_customer or abandoned.",
                    param: "cancellation_reason")
            }
            return parsed
        }
        let intent = try await load(id, principal: principal)
        let attempt = try await activeAttempt(of: intent)
        do {
            _ = try PaymentMachine.apply(.cancel(reason: cancellationReason), to: try intent.domain(), attempt: attempt?.domain(), at: context.clock.now())
        } catch let error as PaymentRuleViolation {
            throw APIError.from(error)
        }
        if let attempt, let reference = attempt.providerReference, !attempt.domain().status.isFinal {
            let (account, connector) = try await provider(of: attempt)
            do {
                _ = try await connector.cancel(reference: reference, context: try context.connectorContext(for: account))
            } catch ConnectorError.unsupported {
                logger.info("provider cannot void; cancelling locally", metadata: ["payment_intent": "\(id)"])
            } catch let error as ConnectorError {
                throw APIError.from(error)
            }
        }
        return try await apply(.cancel(reason: cancellationReason), intentID: id, attemptID: attempt?.id)
    }

    /// Asks the provider how the active attempt and pending refunds stand, now (the check flow on demand).
    func sync(_ id: String, principal: Principal) async throws -> PaymentIntentObject {
        guard principal.isSecretKey else { throw APIError.secretKeyRequired }
        let intent = try await load(id, principal: principal)
        if let attempt = try await activeAttempt(of: intent), !attempt.domain().status.isFinal {
            try await refresh(attempt)
        }
        let pending = try await RefundModel.query(on: db).filter(\.$paymentIntentID == id).filter(\.$status == "pending").all()
        let refunds = RefundService(context: context, db: db, logger: logger)
        for refund in pending { try await refunds.refresh(refund) }
        return try await retrieve(id, principal: principal)
    }

    // MARK: - Provider results (answers, webhooks, status checks)

    /// Brings an unfinished attempt up to date with its provider: a status check, or, when the first call never
    /// got an answer, the same call again with the same idempotency key.
    func refresh(_ attempt: PaymentAttemptModel) async throws {
        let (account, connector) = try await provider(of: attempt)
        let result: ConnectorPaymentResult?
        if let reference = attempt.providerReference {
            result = await call(connector, account: account) { connector, context in
                try await connector.retrievePayment(reference: reference, context: context)
            }
        } else {
            guard let intent = try await PaymentIntentModel.find(attempt.paymentIntentID, on: db) else { return }
            let stored = JSONText.decode(PaymentMethodObject.self, from: attempt.paymentMethod)
            let request = ConnectorPaymentRequest(
                attemptID: PaymentAttemptID(rawValue: attempt.id ?? ""), paymentIntentID: PaymentIntentID(rawValue: intent.id ?? ""),
                amount: Money(minorUnits: intent.amount, currency: try Currency(code: intent.currency)),
                captureMethod: CaptureMethod(rawValue: intent.captureMethod) ?? .automatic,
                method: PaymentMethodData(
                    type: attempt.methodType, token: stored?.token, msisdn: stored?.msisdn, country: stored?.country,
                    network: stored?.network),
                returnURL: attempt.returnURL, description: intent.paymentDescription, customer: nil,
                idempotencyKey: attempt.id ?? "")
            result = await call(connector, account: account) { connector, context in
                try await connector.authorize(request, context: context)
            }
        }
        guard let result else { return }
        _ = try await record(result, attemptID: attempt.id ?? "", intentID: attempt.paymentIntentID, returnURL: attempt.returnURL)
    }

    /// Records what a provider said about an attempt. A result about an attempt that is no longer active
    /// (a late webhook after a cancel) changes nothing and is logged for reconciliation.
    @discardableResult
    func record(_ result: ConnectorPaymentResult, attemptID: String, intentID: String, returnURL: String?) async throws -> PaymentIntentObject {
        var outcome = result.outcome
        if case .requiresAction(.redirectToURL(let url, nil)) = outcome, let returnURL {
            outcome = .requiresAction(.redirectToURL(url: url, returnURL: returnURL))
        }
        do {
            return try await apply(
                .recordOutcome(attemptID: PaymentAttemptID(rawValue: attemptID), outcome: outcome, providerReference: result.providerReference),
                intentID: intentID, attemptID: attemptID)
        } catch let error as APIError where error.code == PaymentRuleViolation.attemptNotActiveCode {
            logger.warning(
                "provider result for an attempt that is no longer active",
                metadata: ["payment_attempt": "\(attemptID)", "outcome": "\(outcome.metricName)"])
            guard let intent = try await PaymentIntentModel.find(intentID, on: reader) else { throw error }
            return Presenter.paymentIntent(intent, attempts: try await attempts(of: intentID))
        }
    }

    // MARK: - Internals

    /// Applies a command in one transaction: lock, load, decide, save, record events.
    private func apply(
        _ command: PaymentCommand, intentID: String, attemptID: String?, newAttempt: PaymentAttemptModel? = nil
    ) async throws -> PaymentIntentObject {
        let events = self.events
        let now = context.clock.now()
        return try await context.transactor.writeSQL(on: db) { tx in
            let (intent, attempts, transition) = try await Self.change(
                command, intentID: intentID, attemptID: attemptID, newAttempt: newAttempt, at: now, on: tx)
            let object = Presenter.paymentIntent(intent, attempts: attempts)
            try await events.record(
                transition.events, object: object, objectID: intentID, merchantID: intent.merchantID,
                livemode: intent.livemode, on: tx)
            return object
        }
    }

    /// Starts an attempt: the intent points at it before the provider hears of it. Starting records no event
    /// (`PaymentMachine`), and nothing is presented, so the intent's other attempts are not loaded.
    private func start(_ attempt: PaymentAttempt, model: PaymentAttemptModel) async throws {
        let now = context.clock.now()
        try await context.transactor.writeSQL(on: db) { tx in
            _ = try await Self.change(
                .startAttempt(attempt), intentID: attempt.paymentIntentID.rawValue, attemptID: nil, newAttempt: model, at: now,
                on: tx, loadAttempts: false)
        }
    }

    /// Inside a transaction: locks and loads the intent (and its attempts), asks `PaymentMachine`, saves the result.
    private static func change(
        _ command: PaymentCommand, intentID: String, attemptID: String?, newAttempt: PaymentAttemptModel?, at now: Date,
        on tx: any SQLDatabase, loadAttempts: Bool = true
    ) async throws -> (PaymentIntentModel, [PaymentAttemptModel], PaymentTransition) {
        try await tx.lockForUpdate(PaymentIntentModel.schema, id: intentID)
        guard let intent = try await PaymentIntentModel.find(intentID, on: tx) else {
            throw APIError.notFound("payment_intent", id: intentID)
        }
        var attempts = loadAttempts || attemptID != nil ? try await PaymentAttemptModel.all(ofIntent: intentID, on: tx) : []
        let target = attemptID.flatMap { id in attempts.first { $0.id == id } }
        let transition: PaymentTransition
        do {
            transition = try PaymentMachine.apply(command, to: try intent.domain(), attempt: target?.domain(), at: now)
        } catch let error as PaymentRuleViolation {
            throw APIError.from(error)
        }
        if case .startAttempt = command, let newAttempt, let attempt = transition.attempt {
            newAttempt.update(from: attempt)
            try await newAttempt.insert(on: tx)
            attempts.append(newAttempt)
        } else if transition.isNoOp {
            return (intent, attempts, transition)
        } else if let attempt = transition.attempt, let target {
            target.update(from: attempt)
            try await target.saveState(on: tx)
        }
        intent.update(from: transition.intent)
        try await intent.saveState(on: tx)
        return (intent, attempts, transition)
    }

    /// Calls a provider. Refusals become failed outcomes; network trouble gives nil: the outcome is unknown and the
    /// status poller checks it later.
    private func call(
        _ connector: any PaymentConnector, account: ProviderAccountModel,
        _ body: (any PaymentConnector, ConnectorContext) async throws -> ConnectorPaymentResult
    ) async -> ConnectorPaymentResult? {
        do {
            return try await body(connector, try context.connectorContext(for: account))
        } catch ConnectorError.invalidRequest(let code, let message, _) {
            return ConnectorPaymentResult(providerReference: nil, outcome: .failed(PaymentFailure(kind: .invalidRequestError, code: code, message: message)))
        } catch ConnectorError.invalidCredentials(let why) {
            logger.error("provider refused the account's credentials", metadata: ["provider_account": "\(account.id ?? "")", "why": "\(why)"])
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

    private static func throwIfFailed(_ outcome: ProviderOutcome, object: PaymentIntentObject) throws {
        guard case .failed(let failure) = outcome else { return }
        switch failure.kind {
        case .cardError:
            throw APIError(
                status: .paymentRequired, kind: .card, code: failure.code, message: failure.message,
                param: nil, declineCode: failure.declineCode, paymentIntent: object)
        case .invalidRequestError:
            throw APIError(status: .badRequest, kind: .invalidRequest, code: failure.code, message: failure.message, param: "payment_method", paymentIntent: object)
        case .apiError:
            throw APIError(status: .badGateway, kind: .api, code: failure.code, message: failure.message, paymentIntent: object)
        }
    }

    private func provider(of attempt: PaymentAttemptModel) async throws -> (ProviderAccountModel, any PaymentConnector) {
        guard let account = try await ProviderAccountModel.find(attempt.providerAccountID, on: db),
              let connector = context.connectors[attempt.provider]
        else { throw APIError.invalid("provider_unavailable", "The attempt's provider account no longer exists.") }
        return (account, connector)
    }

    private func activeAttempt(of intent: PaymentIntentModel) async throws -> PaymentAttemptModel? {
        guard let id = intent.activeAttemptID else { return nil }
        return try await PaymentAttemptModel.find(id, on: db)
    }

    func load(_ id: String, principal: Principal) async throws -> PaymentIntentModel {
        guard principal.mayAccess(paymentIntent: id), let model = try await find(id, principal: principal) else {
            throw APIError.notFound("payment_intent", id: id)
        }
        return model
    }

    private func find(_ id: String, principal: Principal) async throws -> PaymentIntentModel? {
        try await PaymentIntentModel.find(id, merchantID: principal.merchantID, livemode: principal.livemode, on: reader)
    }

    private func attempts(of intentID: String) async throws -> [PaymentAttemptModel] {
        try await PaymentAttemptModel.all(ofIntent: intentID, on: reader)
    }
}

extension ConnectorPaymentResult {
    /// The provider could not be reached: PayHub records the attempt as processing and checks it later.
    static let unknown = ConnectorPaymentResult(providerReference: nil, outcome: .processing)
}

extension ProviderOutcome {
    var metricName: String {
        switch self {
        case .succeeded: "succeeded"
        case .requiresCapture: "requires_capture"
        case .requiresAction: "requires_action"
        case .processing: "processing"
        case .failed: "failed"
        case .canceled: "canceled"
        }
    }
}

extension APIError {
    static let secretKeyRequired = APIError(
        status: .forbidden, kind: .permission, code: "secret_key_required",
        message: "This operation needs the secret key; a client token cannot perform it.")
}
