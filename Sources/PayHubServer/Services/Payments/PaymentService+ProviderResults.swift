import Foundation
import PayHubConnectors
import PayHubCore

/// What providers say about attempts: their answers, their webhooks, status checks, and the expiry of customer
/// actions nobody finished.
extension PaymentService {
    /// Asks the provider how the active attempt and pending refunds stand, now (the check flow on demand).
    func sync(_ id: String, principal: Principal) async throws -> PaymentIntentAggregate {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        let payment = try await load(id, principal: principal)
        if let attempt = payment.activeAttempt, !attempt.status.isFinal {
            try await refresh(attempt)
        }
        let refunds = RefundService(context: context, db: db, logger: logger)
        for refund in try await payments.pendingRefunds(of: payment.id, in: payment.scope, on: reader) {
            try await refunds.refresh(refund)
        }
        return try await current(payment.id, in: payment.scope)
    }

    /// Brings an unfinished attempt up to date with its provider: a status check, or, when the first call never
    /// got an answer, the same call again (same request, same idempotency key), or a look-up by PayHub's reference
    /// for providers that do not honour idempotency keys.
    func refresh(_ attempt: PaymentAttemptRecord) async throws {
        let (account, connector) = try await provider(of: attempt)
        let result: ConnectorPaymentResult?
        if let reference = attempt.providerReference {
            result = await call(connector, account: account) { connector, context in
                try await connector.retrievePayment(reference: reference, context: context)
            }
        } else {
            guard let intent = try await payments.intent(attempt.paymentIntentID, in: attempt.scope, on: reader) else { return }
            let request = ProviderRequests.payment(intent: intent, attempt: attempt)
            result = await call(connector, account: account) { connector, context in
                if connector.capabilities.deduplication == .lookupByReference,
                   let found = try await connector.findPayment(attemptID: request.attemptID, context: context) {
                    return found
                }
                return try await connector.authorize(request, context: context)
            }
        }
        guard let result else { return }
        let known = attempt.attempt
        if result.outcome.attemptStatus == known.status, result.outcome.nextAction == known.nextAction, known.providerReference != nil {
            return  // nothing new: no transaction
        }
        try await record(result, for: attempt)
    }

    /// Gives up an attempt whose customer never finished 3-D Secure, a wallet page or an OTP: PayHub cancels it
    /// with the provider and the intent waits for a payment method again, with `authentication_timeout`. If the
    /// provider says the customer finished after all, that is recorded instead.
    func expireAction(_ attempt: PaymentAttemptRecord) async throws {
        let (account, connector) = try await provider(of: attempt)
        if let reference = attempt.providerReference {
            let answer = await call(connector, account: account) { connector, context in
                try await connector.cancel(reference: reference, context: context)
            }
            if let answer, answer.outcome.isSuccess {
                try await record(answer, for: attempt)
                return
            }
        }
        try await record(ConnectorPaymentResult(providerReference: attempt.providerReference, outcome: .failed(Self.authenticationTimeout)), for: attempt)
    }

    static let authenticationTimeout = PaymentFailure(
        kind: .cardError, code: "authentication_timeout", declineCode: nil,
        message: "The customer did not complete the payment in time.")

    /// Records what a provider said about an attempt. A success for an attempt that no longer counts is recorded
    /// as a late success (and given back by a job); other news about such an attempt changes nothing and is logged.
    @discardableResult
    func record(_ result: ConnectorPaymentResult, for attempt: PaymentAttemptRecord) async throws -> PaymentIntentAggregate {
        var outcome = result.outcome
        if case .requiresAction(.redirectToURL(let url, nil)) = outcome, let returnURL = attempt.returnURL {
            outcome = .requiresAction(.redirectToURL(url: url, returnURL: returnURL))
        }
        do {
            return try await apply(
                .recordOutcome(attemptID: attempt.id, outcome: outcome, providerReference: result.providerReference, amounts: result.amounts),
                to: attempt.paymentIntentID, in: attempt.scope, attemptID: attempt.id, savedMethod: result.savedMethod)
        } catch PaymentRuleViolation.attemptNotActive {
            logger.info(
                "provider news about an attempt that no longer counts",
                metadata: ["payment_attempt": "\(attempt.id)", "outcome": "\(outcome.metricName)"])
            return try await current(attempt.paymentIntentID, in: attempt.scope)
        }
    }

    /// Records how giving back a late success ended.
    func recordReversal(_ reversal: LateSuccessReversal, for attempt: PaymentAttemptRecord) async throws {
        try await apply(
            .recordReversal(attemptID: attempt.id, reversal: reversal), to: attempt.paymentIntentID, in: attempt.scope, attemptID: attempt.id)
    }
}

extension ProviderOutcome {
    /// The outcome in metrics: the name of the attempt status it leads to.
    var metricName: String { attemptStatus.rawValue }
}
