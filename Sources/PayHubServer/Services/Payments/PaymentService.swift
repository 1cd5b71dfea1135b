import Fluent
import Foundation
import Logging
import PayHubConnectors
import PayHubCore
import SQLKit

/// Payment intents and their attempts. Every change goes through `PaymentMachine` inside one transaction that
/// also writes its events and jobs; providers are called between transactions, never inside one. The operations
/// live in the files beside this one: attempts, capture and cancel, and provider results.
struct PaymentService: Sendable {
    let context: PayHubContext
    let db: any Database
    let logger: Logger

    var events: EventRecorder { EventRecorder(context: context) }
    /// Reads outside a transaction.
    var reader: any SQLDatabase { context.transactor.reader(db) }
    var router: PaymentRouter { PaymentRouter(context: context, db: db) }
    var schedule: StatusCheckSchedule { context.config.statusChecks }

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
            byIdempotencyKey: key, in: principal.scope,
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

    // MARK: - Internals

    /// Applies a command in one transaction: lock, load, decide, save, record events, enqueue follow-up jobs.
    func apply(
        _ command: PaymentCommand, intentID: String, attemptID: String?, newAttempt: PaymentAttemptModel? = nil
    ) async throws -> PaymentIntentObject {
        let events = self.events
        let context = self.context
        let now = context.clock.now()
        let schedule = self.schedule
        return try await context.transactor.writeSQL(on: db) { tx in
            let (intent, attempts, transition) = try await Self.change(
                command, intentID: intentID, attemptID: attemptID, newAttempt: newAttempt, schedule: schedule, at: now, on: tx)
            let object = Presenter.paymentIntent(intent, attempts: attempts)
            try await events.record(
                transition.events, object: object, objectID: intentID, merchantID: intent.merchantID,
                livemode: intent.livemode, on: tx)
            if let attempt = attempts.first(where: { $0.id == transition.attempt?.id.rawValue }), !transition.isNoOp {
                if transition.startsReversal {
                    try await JobScheduler.enqueue(LateSuccessReversalJob.job(attempt: attempt.id ?? "", at: now), context: context, on: tx)
                }
                try await SandboxSettlementJob.scheduleIfSimulated(attempt: attempt, context: context, on: tx)
            }
            return object
        }
    }

    /// Starts an attempt: the intent points at it before the provider hears of it. Starting records no event
    /// (`PaymentMachine`), and nothing is presented, so the intent's other attempts are not loaded.
    func start(_ attempt: PaymentAttempt, model: PaymentAttemptModel) async throws {
        let now = context.clock.now()
        let schedule = self.schedule
        try await context.transactor.writeSQL(on: db) { tx in
            _ = try await Self.change(
                .startAttempt(attempt), intentID: attempt.paymentIntentID.rawValue, attemptID: nil, newAttempt: model,
                schedule: schedule, at: now, on: tx, loadAttempts: false)
        }
    }

    /// Inside a transaction: locks and loads the intent (and its attempts), asks `PaymentMachine`, saves the result
    /// and when the changed attempt is next checked with its provider.
    private static func change(
        _ command: PaymentCommand, intentID: String, attemptID: String?, newAttempt: PaymentAttemptModel?,
        schedule: StatusCheckSchedule, at now: Date, on tx: any SQLDatabase, loadAttempts: Bool = true
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
            newAttempt.checkCount = 0
            newAttempt.nextCheckAt = schedule.nextCheck(status: attempt.status, changedAt: now, checks: 0, now: now)
            try await newAttempt.insert(on: tx)
            attempts.append(newAttempt)
        } else if transition.isNoOp {
            return (intent, attempts, transition)
        } else if let attempt = transition.attempt, let target {
            if attempt.status.rawValue != target.status {
                target.checkCount = 0
                target.nextCheckAt = schedule.nextCheck(status: attempt.status, changedAt: now, checks: 0, now: now)
            }
            target.update(from: attempt)
            try await target.saveState(on: tx)
        }
        intent.update(from: transition.intent)
        try await intent.saveState(on: tx)
        return (intent, attempts, transition)
    }

    /// Calls a provider. Refusals become failed outcomes; network trouble gives nil: the outcome is unknown and the
    /// status poller checks it later.
    func call(
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

    static func throwIfFailed(_ outcome: ProviderOutcome, object: PaymentIntentObject) throws {
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

    func provider(of attempt: PaymentAttemptModel) async throws -> (ProviderAccountModel, any PaymentConnector) {
        guard let account = try await ProviderAccountModel.find(attempt.providerAccountID, on: db),
              let connector = context.connectors[attempt.provider]
        else { throw APIError.invalid("provider_unavailable", "The attempt's provider account no longer exists.") }
        return (account, connector)
    }

    func activeAttempt(of intent: PaymentIntentModel) async throws -> PaymentAttemptModel? {
        guard let id = intent.activeAttemptID else { return nil }
        return try await PaymentAttemptModel.find(id, on: db)
    }

    func load(_ id: String, principal: Principal) async throws -> PaymentIntentModel {
        guard principal.mayAccess(paymentIntent: id), let model = try await find(id, principal: principal) else {
            throw APIError.notFound("payment_intent", id: id)
        }
        return model
    }

    func find(_ id: String, principal: Principal) async throws -> PaymentIntentModel? {
        try await PaymentIntentModel.find(id, in: principal.scope, on: reader)
    }

    func attempts(of intentID: String) async throws -> [PaymentAttemptModel] {
        try await PaymentAttemptModel.all(ofIntent: intentID, on: reader)
    }
}


extension APIError {
    static let secretKeyRequired = APIError(
        status: .forbidden, kind: .permission, code: "secret_key_required",
        message: "This operation needs the secret key; a client token cannot perform it.")
}
