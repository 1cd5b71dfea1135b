import Foundation
import PayHubConnectors
import PayHubCore
import SQLKit

/// What providers say about attempts: their answers, their webhooks, status checks, and the expiry of customer
/// actions nobody finished.
extension PaymentService {
    /// Asks the provider how the active attempt and pending refunds stand, now (the check flow on demand).
    func sync(_ id: String, principal: Principal) async throws -> PaymentIntentObject {
        guard principal.isSecretKey else { throw APIError.secretKeyRequired }
        let intent = try await load(id, principal: principal)
        if let attempt = try await activeAttempt(of: intent), !(try attempt.domain().status.isFinal) {
            try await refresh(attempt)
        }
        let refunds = RefundService(context: context, db: db, logger: logger)
        for refund in try await refunds.pending(ofIntent: id) { try await refunds.refresh(refund) }
        return try await retrieve(id, principal: principal)
    }

    /// Brings an unfinished attempt up to date with its provider: a status check, or, when the first call never
    /// got an answer, the same call again (same request, same idempotency key), or a look-up by PayHub's reference
    /// for providers that do not honour idempotency keys.
    func refresh(_ attempt: PaymentAttemptModel) async throws {
        let (account, connector) = try await provider(of: attempt)
        let result: ConnectorPaymentResult?
        if let reference = attempt.providerReference {
            result = await call(connector, account: account) { connector, context in
                try await connector.retrievePayment(reference: reference, context: context)
            }
        } else {
            guard let intent = try await PaymentIntentModel.find(attempt.paymentIntentID, on: reader) else { return }
            let request = try ProviderRequests.payment(intent: intent, attempt: attempt)
            result = await call(connector, account: account) { connector, context in
                if connector.capabilities.deduplication == .lookupByReference,
                   let found = try await connector.findPayment(attemptID: request.attemptID, context: context) {
                    return found
                }
                return try await connector.authorize(request, context: context)
            }
        }
        guard let result else { return }
        let known = try attempt.domain()
        if result.outcome.attemptStatus == known.status, result.outcome.nextAction == known.nextAction, attempt.providerReference != nil {
            return  // nothing new: no transaction
        }
        _ = try await record(result, attemptID: attempt.id ?? "", intentID: attempt.paymentIntentID, returnURL: attempt.returnURL)
    }

    /// Gives up an attempt whose customer never finished 3-D Secure, a wallet page or an OTP: PayHub cancels it
    /// with the provider and the intent waits for a payment method again, with `authentication_timeout`. If the
    /// provider says the customer finished after all, that is recorded instead.
    func expireAction(_ attempt: PaymentAttemptModel) async throws {
        let (account, connector) = try await provider(of: attempt)
        if let reference = attempt.providerReference {
            let answer = await call(connector, account: account) { connector, context in
                try await connector.cancel(reference: reference, context: context)
            }
            if let answer, answer.outcome.isSuccess {
                _ = try await record(answer, attemptID: attempt.id ?? "", intentID: attempt.paymentIntentID, returnURL: attempt.returnURL)
                return
            }
        }
        let timeout = ConnectorPaymentResult(providerReference: attempt.providerReference, outcome: .failed(Self.authenticationTimeout))
        _ = try await record(timeout, attemptID: attempt.id ?? "", intentID: attempt.paymentIntentID, returnURL: attempt.returnURL)
    }

    static let authenticationTimeout = PaymentFailure(
        kind: .cardError, code: "authentication_timeout", declineCode: nil,
        message: "The customer did not complete the payment in time.")

    /// Records what a provider said about an attempt. A success for an attempt that no longer counts is recorded
    /// as a late success (and given back by a job); other news about such an attempt changes nothing and is logged.
    @discardableResult
    func record(_ result: ConnectorPaymentResult, attemptID: String, intentID: String, returnURL: String?) async throws -> PaymentIntentObject {
        var outcome = result.outcome
        if case .requiresAction(.redirectToURL(let url, nil)) = outcome, let returnURL {
            outcome = .requiresAction(.redirectToURL(url: url, returnURL: returnURL))
        }
        do {
            return try await apply(
                .recordOutcome(
                    attemptID: PaymentAttemptID(rawValue: attemptID), outcome: outcome, providerReference: result.providerReference,
                    amounts: result.amounts),
                intentID: intentID, attemptID: attemptID)
        } catch let error as APIError where error.code == PaymentRuleViolation.attemptNotActiveCode {
            logger.info(
                "provider news about an attempt that no longer counts",
                metadata: ["payment_attempt": "\(attemptID)", "outcome": "\(outcome.metricName)"])
            guard let intent = try await PaymentIntentModel.find(intentID, on: reader) else { throw error }
            return Presenter.paymentIntent(intent, attempts: try await attempts(of: intentID))
        }
    }

    /// Records how giving back a late success ended.
    func recordReversal(_ reversal: LateSuccessReversal, attemptID: String, intentID: String) async throws {
        _ = try await apply(
            .recordReversal(attemptID: PaymentAttemptID(rawValue: attemptID), reversal: reversal), intentID: intentID, attemptID: attemptID)
    }
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
