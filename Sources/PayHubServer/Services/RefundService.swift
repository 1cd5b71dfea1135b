import Fluent
import Foundation
import Logging
import PayHubConnectors
import PayHubCore
import SQLKit

/// Refunds: reserved on the intent under its row lock, then asked of the provider, then settled.
/// Concurrent refunds can never take more than was captured.
struct RefundService: Sendable {
    let context: PayHubContext
    let db: any Database
    let logger: Logger

    private var events: EventRecorder { EventRecorder(context: context) }
    /// Reads outside a transaction.
    private var reader: any SQLDatabase { context.transactor.reader(db) }

    func create(_ input: CreateRefundRequest, principal: Principal) async throws -> RefundObject {
        guard principal.isSecretKey else { throw APIError.secretKeyRequired }
        let reason = try input.reason.map { raw in
            guard let reason = RefundReason(rawValue: raw) else {
                throw APIError.invalid(
                    "parameter_invalid", "reason must be duplicate, fraudulent or requested_by_customer.", param: "reason")
            }
            return reason
        }
        let idempotencyKey = RequestIdempotency.key
        if let key = idempotencyKey, let existing = try await RefundModel.created(
            byIdempotencyKey: key, in: principal.scope,
            since: context.clock.now().addingTimeInterval(-IdempotencyService.lifetime), on: reader) {
            // A retry of a request that created this refund but died before its response was stored.
            return Presenter.refund(existing)
        }
        if let amount = input.amount, amount <= 0 {
            throw APIError.invalid("amount_invalid", "amount must be a positive integer in the currency's minor unit.", param: "amount")
        }
        guard let intent = try await PaymentIntentModel.find(
            input.paymentIntent, in: principal.scope, on: reader)
        else { throw APIError.notFound("payment_intent", id: input.paymentIntent, param: "payment_intent") }
        guard let attemptID = intent.activeAttemptID, let attempt = try await PaymentAttemptModel.find(attemptID, on: db) else {
            throw APIError.conflict("payment_intent_unexpected_state", "This payment intent has no successful payment to refund.")
        }
        guard let connector = context.connectors[attempt.provider],
              let account = try await ProviderAccountModel.find(attempt.providerAccountID, on: db),
              let paymentReference = attempt.providerReference
        else { throw APIError.invalid("provider_unavailable", "The payment's provider account is not available.") }

        let now = context.clock.now()
        let refundID = (context.ids.make() as RefundID).rawValue
        let transactor = context.transactor
        let events = self.events
        let intentID = input.paymentIntent
        let schedule = context.config.statusChecks
        let context = self.context
        let refund = try await transactor.writeSQL(on: db) { tx -> RefundModel in
            try await tx.lockForUpdate(PaymentIntentModel.schema, id: intentID)
            guard let locked = try await PaymentIntentModel.find(intentID, on: tx) else {
                throw APIError.notFound("payment_intent", id: intentID, param: "payment_intent")
            }
            let transition: RefundTransition
            do {
                transition = try RefundMachine.request(
                    id: RefundID(rawValue: refundID), amount: input.amount, reason: reason, on: try locked.domain(), at: now)
            } catch let error as PaymentRuleViolation {
                throw APIError.from(error)
            }
            locked.update(from: transition.intent)
            try await locked.saveState(on: tx)
            let refund = RefundModel()
            refund.id = refundID
            refund.merchantID = principal.merchantID
            refund.livemode = principal.livemode
            refund.paymentIntentID = intentID
            refund.attemptID = attemptID
            refund.provider = attempt.provider
            refund.providerAccountID = attempt.providerAccountID
            refund.amount = transition.refund.amount.minorUnits
            refund.currency = transition.refund.amount.currency.code
            refund.reason = reason?.rawValue
            refund.metadata = JSONText.encode(input.metadata ?? [:])
            refund.idempotencyKey = idempotencyKey
            refund.createdAt = now
            refund.checkCount = 0
            refund.nextCheckAt = schedule.nextCheck(refund: .pending, checks: 0, now: now)
            refund.update(from: transition.refund)
            try await refund.insert(on: tx)
            try await events.record(
                transition.events, object: Presenter.refund(refund), objectID: refundID,
                merchantID: principal.merchantID, livemode: principal.livemode, on: tx)
            return refund
        }

        let request = try ProviderRequests.refund(refund, paymentReference: paymentReference)
        do {
            let result = try await connector.refund(request, context: try context.connectorContext(for: account))
            return try await settle(refundID: refundID, result: result)
        } catch let error as ConnectorError {
            switch error {
            case .unavailable, .invalidResponse:
                logger.warning("refund request to the provider failed; it will be retried", metadata: ["refund": "\(refundID)"])
                return Presenter.refund(refund)
            default:
                let reasonText = switch error {
                case .invalidRequest(let code, _, _): code
                case .unsupported: "provider_operation_unsupported"
                default: "provider_error"
                }
                return try await settle(refundID: refundID, result: ConnectorRefundResult(providerReference: nil, outcome: .failed(reason: reasonText)))
            }
        }
    }

    func retrieve(_ id: String, principal: Principal) async throws -> RefundObject {
        guard principal.isSecretKey else { throw APIError.secretKeyRequired }
        guard let refund = try await find(id, principal: principal) else { throw APIError.notFound("refund", id: id) }
        return Presenter.refund(refund)
    }

    func list(principal: Principal, page: PageRequest) async throws -> ListObject<RefundObject> {
        guard principal.isSecretKey else { throw APIError.secretKeyRequired }
        if let status = page.filters["status"], RefundStatus(rawValue: status) == nil {
            throw APIError.invalid("parameter_invalid", "Unknown refund status '\(status)'.", param: "status")
        }
        let db = self.db
        let result = try await Paginator.page(
            {
                var query = RefundModel.query(on: db)
                    .filter(\.$merchantID == principal.merchantID).filter(\.$livemode == principal.livemode)
                if let intent = page.filters["payment_intent"] { query = query.filter(\.$paymentIntentID == intent) }
                if let status = page.filters["status"] { query = query.filter(\.$status == status) }
                return query
            },
            request: page, created: \.$createdAt, id: \.$id,
            cursor: { try await self.find($0, principal: principal) })
        return ListObject(data: result.items.map(Presenter.refund), hasMore: result.hasMore, url: "/v1/refunds")
    }

    /// Brings a pending refund up to date: a status check, or the request again when it never reached the provider.
    func refresh(_ refund: RefundModel) async throws {
        guard let connector = context.connectors[refund.provider],
              let account = try await ProviderAccountModel.find(refund.providerAccountID, on: db)
        else { return }
        let connectorContext = try context.connectorContext(for: account)
        let result: ConnectorRefundResult
        do {
            if let reference = refund.providerReference {
                result = try await connector.retrieveRefund(reference: reference, context: connectorContext)
            } else {
                guard let attempt = try await PaymentAttemptModel.find(refund.attemptID, on: db),
                      let paymentReference = attempt.providerReference else { return }
                result = try await connector.refund(
                    try ProviderRequests.refund(refund, paymentReference: paymentReference), context: connectorContext)
            }
        } catch let error as ConnectorError {
            logger.warning("refund status check failed", metadata: ["refund": "\(refund.id ?? "")", "error": "\(error)"])
            return
        }
        _ = try await settle(refundID: refund.id ?? "", result: result)
    }

    /// Records what the provider said about a refund, with its event, under the intent's lock.
    @discardableResult
    func settle(refundID: String, result: ConnectorRefundResult) async throws -> RefundObject {
        let now = context.clock.now()
        let transactor = context.transactor
        let events = self.events
        let metrics = context.metrics
        let context = self.context
        return try await transactor.writeSQL(on: db) { tx in
            guard let unlocked = try await RefundModel.find(refundID, on: tx) else { throw APIError.notFound("refund", id: refundID) }
            try await tx.lockForUpdate(PaymentIntentModel.schema, id: unlocked.paymentIntentID)
            guard let refund = try await RefundModel.find(refundID, on: tx),
                  let intent = try await PaymentIntentModel.find(refund.paymentIntentID, on: tx)
            else { throw APIError.notFound("refund", id: refundID) }
            let transition: RefundTransition
            do {
                transition = try RefundMachine.settle(
                    try refund.domain(), outcome: result.outcome, providerReference: result.providerReference,
                    on: try intent.domain(), at: now)
            } catch let error as PaymentRuleViolation {
                throw APIError.from(error)
            }
            guard !transition.isNoOp else {
                if refund.providerReference == nil, let reference = transition.refund.providerReference {
                    refund.providerReference = reference
                    try await refund.saveState(on: tx)
                    try await SandboxSettlementJob.scheduleIfSimulated(refund: refund, context: context, on: tx)
                }
                return Presenter.refund(refund)
            }
            refund.update(from: transition.refund)
            if transition.refund.status.isFinal { refund.nextCheckAt = nil }
            try await refund.saveState(on: tx)
            intent.update(from: transition.intent)
            try await intent.saveState(on: tx)
            let object = Presenter.refund(refund)
            try await events.record(
                transition.events, object: object, objectID: refundID, merchantID: refund.merchantID,
                livemode: refund.livemode, on: tx)
            metrics.refund(provider: refund.provider, outcome: refund.status)
            return object
        }
    }

    /// The refunds of an intent still waiting for their provider.
    func pending(ofIntent intentID: String) async throws -> [RefundModel] {
        try await RefundModel.pending(ofIntent: intentID, on: reader)
    }

    private func find(_ id: String, principal: Principal) async throws -> RefundModel? {
        try await RefundModel.find(id, in: principal.scope, on: reader)
    }
}
