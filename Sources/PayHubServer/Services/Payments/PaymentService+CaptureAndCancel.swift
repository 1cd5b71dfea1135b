import Foundation
import PayHubConnectors
import PayHubCore

/// Manual capture and cancellation. Both ask the provider first and record what it answered, so a race with
/// the provider's own webhook, or a crash between the provider call and the local update, never records more
/// (or less) than the provider did.
extension PaymentService {
    func capture(_ id: String, amount: Int64?, principal: Principal) async throws -> PaymentIntentAggregate {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        let payment = try await load(id, principal: principal)
        let intent = payment.intent.intent
        let attempt = payment.activeAttempt
        _ = try PaymentMachine.apply(.capture(amount: amount), to: intent, attempt: attempt?.attempt, at: context.clock.now())
        guard let attempt, let reference = attempt.providerReference else {
            throw ServiceError.conflict("payment_intent_unexpected_state", "This payment intent has no authorisation to capture.")
        }
        let (account, connector) = try await provider(of: attempt)
        let toCapture = Money(minorUnits: amount ?? intent.amountCapturable, currency: intent.amount.currency)
        let connectorContext = try context.connectorContext(for: account)
        var result: ConnectorPaymentResult
        do {
            result = try await connector.capture(reference: reference, amount: toCapture, context: connectorContext)
        } catch let error as ConnectorError {
            // Perhaps captured already (a retry after a crash): the provider's own account of the payment decides.
            guard case .invalidRequest = error,
                  let current = try? await connector.retrievePayment(reference: reference, context: connectorContext),
                  current.outcome == .succeeded
            else { throw error }
            result = current
        }
        if case .failed(let failure) = result.outcome {
            throw ServiceError(kind: .declined, code: failure.code, message: failure.message, declineCode: failure.declineCode)
        }
        guard result.outcome == .succeeded else {
            throw ServiceError.conflict("payment_intent_unexpected_state", "The provider did not capture this payment.")
        }
        // Recorded as the provider's news: a webhook that told it first makes this a no-op that answers the
        // captured intent, with what the provider said it captured.
        let amounts = ProviderAmounts(received: result.amounts.received ?? toCapture.minorUnits, capturable: 0)
        return try await apply(
            .recordOutcome(attemptID: attempt.id, outcome: .succeeded, providerReference: reference, amounts: amounts),
            to: payment.id, in: payment.scope, attemptID: attempt.id)
    }

    func cancel(_ id: String, reason: String?, principal: Principal) async throws -> PaymentIntentAggregate {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        let cancellationReason = try reason.map { raw in
            guard let parsed = CancellationReason(rawValue: raw), parsed != .expired else {
                throw ServiceError.invalid(
                    "parameter_invalid", "cancellation_reason must be duplicate, fraudulent, requested_by_customer or abandoned.",
                    param: "cancellation_reason")
            }
            return parsed
        }
        return try await cancel(try await load(id, principal: principal), reason: cancellationReason)
    }

    /// Cancels an intent already loaded in its scope: for the API above, and for PayHub's own cancellations (an
    /// expired checkout session), which may give `expired` as the reason.
    func cancel(_ loaded: PaymentIntentAggregate, reason cancellationReason: CancellationReason?) async throws -> PaymentIntentAggregate {
        var payment = loaded
        try checkCancel(cancellationReason, payment: payment)
        if let unanswered = payment.activeAttempt, !unanswered.status.isFinal, unanswered.providerReference == nil {
            // The provider never answered this attempt: it may have charged. Learn how it ended before voiding.
            try await refresh(unanswered)
            payment = try await current(payment.id, in: payment.scope)
            if let still = payment.activeAttempt, !still.status.isFinal, still.providerReference == nil {
                throw PaymentRuleViolation.outcomeUnknown(still.id)
            }
            try checkCancel(cancellationReason, payment: payment)
        }
        let attempt = payment.activeAttempt
        if let attempt, let reference = attempt.providerReference, !attempt.status.isFinal {
            try await voidWithProvider(attempt, reference: reference)
        }
        return try await apply(.cancel(reason: cancellationReason), to: payment.id, in: payment.scope, attemptID: attempt?.id)
    }

    /// Asks the provider to void an attempt before it is canceled here. One the provider completed meanwhile is
    /// recorded, and the cancel refused: the caller refunds it instead.
    private func voidWithProvider(_ attempt: PaymentAttemptRecord, reference: String) async throws {
        let (account, connector) = try await provider(of: attempt)
        let connectorContext = try context.connectorContext(for: account)
        var answer: ConnectorPaymentResult?
        do {
            answer = try await connector.cancel(reference: reference, context: connectorContext)
        } catch ConnectorError.unsupported {
            // A later success is still caught: it is recorded as a late success and given back.
            logger.info("provider cannot void; cancelling locally", metadata: ["payment_intent": "\(attempt.paymentIntentID)"])
        } catch let error as ConnectorError {
            // The provider would not void it: perhaps it completed meanwhile.
            guard case .invalidRequest = error else { throw error }
            answer = try? await connector.retrievePayment(reference: reference, context: connectorContext)
            if answer?.outcome.completesPayment != true { throw error }
        }
        if let answer, answer.outcome.completesPayment {
            try await record(answer, for: attempt)
            var refused = ServiceError.conflict(
                "payment_intent_unexpected_state",
                "The provider had already completed this payment, so it was not canceled; refund it instead.")
            refused.paymentIntentID = attempt.paymentIntentID.rawValue
            throw refused
        }
    }

    private func checkCancel(_ reason: CancellationReason?, payment: PaymentIntentAggregate) throws {
        _ = try PaymentMachine.apply(
            .cancel(reason: reason), to: payment.intent.intent, attempt: payment.activeAttempt?.attempt, at: context.clock.now())
    }
}

extension ProviderOutcome {
    /// The provider took the money (or authorised it, for a void that came too late to be a plain cancel).
    var completesPayment: Bool { self == .succeeded }
}
