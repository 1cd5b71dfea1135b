import FluentKit
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
    private var payments: PaymentRepository { PaymentRepository() }

    func create(_ input: CreateRefundRequest, principal: Principal) async throws -> RefundRecord {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        let reason = try input.reason.map { raw in
            guard let reason = RefundReason(rawValue: raw) else {
                throw ServiceError.invalid(
                    "parameter_invalid", "reason must be duplicate, fraudulent or requested_by_customer.", param: "reason")
            }
            return reason
        }
        let scope = principal.scope
        let idempotencyKey = RequestIdempotency.key
        if let key = idempotencyKey, let existing = try await payments.refund(
            createdByIdempotencyKey: key, in: scope, since: context.clock.now().addingTimeInterval(-IdempotencyService.lifetime), on: reader) {
            // A retry of a request that created this refund but died before its response was stored.
            return existing
        }
        if let amount = input.amount, amount <= 0 {
            throw ServiceError.invalid("amount_invalid", "amount must be a positive integer in the currency's minor unit.", param: "amount")
        }
        guard let intentID = PaymentIntentID(validating: input.paymentIntent),
              let payment = try await payments.payment(intentID, in: scope, on: reader)
        else { throw ServiceError.notFound("payment_intent", id: input.paymentIntent, param: "payment_intent") }
        guard let attempt = payment.activeAttempt else {
            throw ServiceError.conflict("payment_intent_unexpected_state", "This payment intent has no successful payment to refund.")
        }
        guard let connector = context.connectors[attempt.provider],
              let account = try await ProviderAccountRepository().account(attempt.providerAccountID, in: scope, on: reader),
              let paymentReference = attempt.providerReference
        else { throw ServiceError.invalid("provider_unavailable", "The payment's provider account is not available.") }

        let now = context.clock.now()
        let refundID: RefundID = context.ids.make()
        let (events, payments, schedule) = (self.events, self.payments, context.config.statusChecks)
        let refund = try await context.transactor.writeSQL(on: db) { tx -> RefundRecord in
            guard var locked = try await payments.lock(intentID, in: scope, withAttempts: false, on: tx)?.intent else {
                throw ServiceError.notFound("payment_intent", id: intentID.rawValue, param: "payment_intent")
            }
            let transition = try RefundMachine.request(id: refundID, amount: input.amount, reason: reason, on: locked.intent, at: now)
            locked.intent = transition.intent
            try await payments.saveState(locked, on: tx)
            let refund = RefundRecord(
                refund: transition.refund, scope: scope, attemptID: attempt.id, provider: attempt.provider,
                providerAccountID: attempt.providerAccountID, metadata: input.metadata ?? [:], idempotencyKey: idempotencyKey,
                statusCheck: .first(schedule.nextCheck(refund: .pending, checks: 0, now: now)))
            try await payments.insert(refund, on: tx)
            try await events.record(
                transition.events, object: Presenter.refund(refund), objectID: refundID.rawValue,
                merchantID: scope.merchantID, livemode: scope.livemode, on: tx)
            return refund
        }

        let request = ProviderRequests.refund(refund, paymentReference: paymentReference)
        do {
            let result = try await connector.refund(request, context: try context.connectorContext(for: account))
            return try await settle(refund, result: result)
        } catch let error as ConnectorError {
            switch error {
            case .unavailable, .invalidResponse:
                logger.warning("refund request to the provider failed; it will be retried", metadata: ["refund": "\(refundID)"])
                return refund
            default:
                let reasonText = switch error {
                case .invalidRequest(let code, _, _): code
                case .unsupported: "provider_operation_unsupported"
                default: "provider_error"
                }
                return try await settle(refund, result: ConnectorRefundResult(providerReference: nil, outcome: .failed(reason: reasonText)))
            }
        }
    }

    func retrieve(_ id: String, principal: Principal) async throws -> RefundRecord {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        guard let refundID = RefundID(validating: id), let refund = try await payments.refund(refundID, in: principal.scope, on: reader)
        else { throw ServiceError.notFound("refund", id: id) }
        return refund
    }

    func list(principal: Principal, page: PageRequest) async throws -> RecordPage<RefundRecord> {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        let status = try InputRules.statusFilter(page, as: RefundStatus.self, naming: "refund status")
        var intentID: PaymentIntentID?
        if let raw = page.filters["payment_intent"] {
            // An id no intent can have names none: the list is empty.
            guard let parsed = PaymentIntentID(validating: raw) else { return RecordPage(items: [], hasMore: false) }
            intentID = parsed
        }
        return try await payments.refunds(in: principal.scope, paymentIntent: intentID, status: status, page: page, on: reader)
    }

    /// Brings a pending refund up to date: a status check, or the request again when it never reached the provider.
    func refresh(_ refund: RefundRecord) async throws {
        guard let connector = context.connectors[refund.provider],
              let account = try await ProviderAccountRepository().account(refund.providerAccountID, in: refund.scope, on: reader)
        else { return }
        let connectorContext = try context.connectorContext(for: account)
        let result: ConnectorRefundResult
        do {
            if let reference = refund.refund.providerReference {
                result = try await connector.retrieveRefund(reference: reference, context: connectorContext)
            } else {
                guard let attempt = try await payments.attempt(refund.attemptID, in: refund.scope, on: reader),
                      let paymentReference = attempt.providerReference else { return }
                result = try await connector.refund(ProviderRequests.refund(refund, paymentReference: paymentReference), context: connectorContext)
            }
        } catch let error as ConnectorError {
            logger.warning("refund status check failed", metadata: ["refund": "\(refund.id)", "error": "\(error)"])
            return
        }
        try await settle(refund, result: result)
    }

    /// Records what the provider said about a refund, with its event, under the intent's lock.
    @discardableResult
    func settle(_ known: RefundRecord, result: ConnectorRefundResult) async throws -> RefundRecord {
        let now = context.clock.now()
        let (events, payments, metrics, context) = (self.events, self.payments, context.metrics, self.context)
        return try await context.transactor.writeSQL(on: db) { tx in
            guard let locked = try await payments.lockRefund(known.id, in: known.scope, on: tx) else {
                throw ServiceError.notFound("refund", id: known.id.rawValue)
            }
            var (refund, intent) = locked
            let transition = try RefundMachine.settle(
                refund.refund, outcome: result.outcome, providerReference: result.providerReference, on: intent.intent, at: now)
            guard !transition.isNoOp else {
                if refund.refund.providerReference == nil, let reference = transition.refund.providerReference {
                    refund.refund.providerReference = reference
                    try await payments.saveState(refund, on: tx)
                    try await SandboxSettlementJob.scheduleIfSimulated(refund: refund, context: context, on: tx)
                }
                return refund
            }
            refund.refund = transition.refund
            if transition.refund.status.isFinal { refund.statusCheck.nextAt = nil }
            try await payments.saveState(refund, on: tx)
            intent.intent = transition.intent
            try await payments.saveState(intent, on: tx)
            try await events.record(
                transition.events, object: Presenter.refund(refund), objectID: refund.id.rawValue, merchantID: refund.scope.merchantID,
                livemode: refund.scope.livemode, on: tx)
            try await PaymentNotifications.refundChanged(refund, events: transition.events, intent: intent, context: context, on: tx)
            metrics.refund(provider: refund.provider, outcome: refund.status.rawValue)
            return refund
        }
    }
}
