import Foundation
import PayHubConnectors
import PayHubCore

/// Manual capture and cancellation. Both ask the provider first and record what it answered, so a race with
/// the provider's own webhook, or a crash between the provider call and the local update, never records more
/// (or less) than the provider did.
extension PaymentService {
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
        guard let attempt, let attemptID = attempt.id, let reference = attempt.providerReference else {
            throw APIError.conflict("payment_intent_unexpected_state", "This payment intent has no authorisation to capture.")
        }
        let (account, connector) = try await provider(of: attempt)
        let toCapture = Money(minorUnits: amount ?? intent.amountCapturable, currency: try Currency(code: intent.currency))
        let connectorContext = try context.connectorContext(for: account)
        var result: ConnectorPaymentResult
        do {
            result = try await connector.capture(reference: reference, amount: toCapture, context: connectorContext)
        } catch ConnectorError.invalidRequest(let code, let message, let param) {
            // Perhaps captured already (a retry after a crash): the provider's own account of the payment decides.
            let current = try? await connector.retrievePayment(reference: reference, context: connectorContext)
            guard let current, current.outcome == .succeeded else {
                throw APIError.from(ConnectorError.invalidRequest(code: code, message: message, param: param))
            }
            result = current
        } catch let error as ConnectorError {
            throw APIError.from(error)
        }
        if case .failed(let failure) = result.outcome {
            throw APIError(status: .paymentRequired, kind: .card, code: failure.code, message: failure.message, declineCode: failure.declineCode)
        }
        guard result.outcome == .succeeded else {
            throw APIError.conflict("payment_intent_unexpected_state", "The provider did not capture this payment.")
        }
        // Recorded as the provider's news: a webhook that told it first makes this a no-op that answers the
        // captured intent, with what the provider said it captured.
        let amounts = ProviderAmounts(received: result.amounts.received ?? toCapture.minorUnits, capturable: 0)
        return try await apply(
            .recordOutcome(attemptID: PaymentAttemptID(rawValue: attemptID), outcome: .succeeded, providerReference: reference, amounts: amounts),
            intentID: id, attemptID: attemptID)
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
        var intent = try await load(id, principal: principal)
        var attempt = try await activeAttempt(of: intent)
        try checkCancel(cancellationReason, intent: intent, attempt: attempt)
        if let unanswered = attempt, !(try unanswered.domain().status.isFinal), unanswered.providerReference == nil {
            // The provider never answered this attempt: it may have charged. Learn how it ended before voiding.
            try await refresh(unanswered)
            intent = try await load(id, principal: principal)
            attempt = try await activeAttempt(of: intent)
            if let still = attempt, !(try still.domain().status.isFinal), still.providerReference == nil {
                throw APIError.from(PaymentRuleViolation.outcomeUnknown(PaymentAttemptID(rawValue: still.id ?? "")))
            }
            try checkCancel(cancellationReason, intent: intent, attempt: attempt)
        }
        if let attempt, let attemptID = attempt.id, let reference = attempt.providerReference, !(try attempt.domain().status.isFinal) {
            let (account, connector) = try await provider(of: attempt)
            let connectorContext = try context.connectorContext(for: account)
            var answer: ConnectorPaymentResult?
            do {
                answer = try await connector.cancel(reference: reference, context: connectorContext)
            } catch ConnectorError.unsupported {
                // A later success is still caught: it is recorded as a late success and given back.
                logger.info("provider cannot void; cancelling locally", metadata: ["payment_intent": "\(id)"])
            } catch ConnectorError.invalidRequest(let code, let message, let param) {
                // The provider would not void it: perhaps it completed meanwhile.
                answer = try? await connector.retrievePayment(reference: reference, context: connectorContext)
                if answer?.outcome.completesPayment != true {
                    throw APIError.from(ConnectorError.invalidRequest(code: code, message: message, param: param))
                }
            } catch let error as ConnectorError {
                throw APIError.from(error)
            }
            if let answer, answer.outcome.completesPayment {
                let object = try await record(answer, attemptID: attemptID, intentID: id, returnURL: attempt.returnURL)
                throw APIError(
                    status: .conflict, kind: .invalidRequest, code: "payment_intent_unexpected_state",
                    message: "The provider had already completed this payment, so it was not canceled; refund it instead.",
                    paymentIntent: object)
            }
        }
        return try await apply(.cancel(reason: cancellationReason), intentID: id, attemptID: attempt?.id)
    }

    private func checkCancel(_ reason: CancellationReason?, intent: PaymentIntentModel, attempt: PaymentAttemptModel?) throws {
        do {
            _ = try PaymentMachine.apply(.cancel(reason: reason), to: try intent.domain(), attempt: attempt?.domain(), at: context.clock.now())
        } catch let error as PaymentRuleViolation {
            throw APIError.from(error)
        }
    }
}

extension ProviderOutcome {
    /// The provider took the money (or authorised it, for a void that came too late to be a plain cancel).
    var completesPayment: Bool { self == .succeeded }
}
