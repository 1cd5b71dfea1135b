import Foundation
import PayHubConnectors
import PayHubCore

/// Attempts: starting one with a provider, resuming one after a crash, and the customer's OTP.
extension PaymentService {
    func attempt(_ id: String, input: AttemptPaymentRequest, principal: Principal) async throws -> PaymentIntentAggregate {
        let payment = try await load(id, principal: principal)
        if let key = RequestIdempotency.key, let earlier = payment.attempts.first(where: { $0.idempotencyKey == key }) {
            // A retry of a request that started this attempt but died before its response was stored.
            return try await resume(earlier)
        }
        let method = try InputRules.paymentMethod(input.paymentMethod)
        try InputRules.url(input.returnURL, param: "return_url")
        let intent = payment.intent.intent
        let candidates = try await router.candidates(for: RouteRequest(
            provider: input.provider, methodType: method.type, currency: intent.amount.currency, scope: payment.scope))
        // Today the first candidate takes the attempt; failover to the next ones will go here.
        guard let route = candidates.first else { throw ServiceError.invalid("provider_unavailable", "No provider account can take this payment.") }
        let (account, connector) = (route.account, route.connector)
        if method.type == "card" && method.token == nil && !connector.capabilities.hostedCardPage {
            throw InputRules.cardTokenMissing
        }
        if intent.captureMethod == .manual && !connector.capabilities.manualCapture {
            throw ServiceError.invalid("capture_method_unsupported", "Provider '\(connector.name)' cannot capture manually.", param: "provider")
        }

        let now = context.clock.now()
        let attempt = PaymentAttemptRecord(
            attempt: PaymentAttempt(
                id: context.ids.make(), paymentIntentID: payment.id, provider: connector.name, methodType: method.type, createdAt: now),
            scope: payment.scope, providerAccountID: account.id,
            paymentMethod: PaymentMethodData(
                type: method.type, token: method.token, msisdn: method.msisdn, country: method.country, network: method.network),
            returnURL: input.returnURL, idempotencyKey: RequestIdempotency.key, statusCheck: .first(nil),
            lateSuccessReversalReference: nil)
        try await start(attempt)

        let request = ProviderRequests.payment(intent: payment.intent, attempt: attempt)
        let result = await call(connector, account: account) { connector, context in
            try await connector.authorize(request, context: context)
        } ?? .unknown
        let recorded = try await record(result, for: attempt)
        context.metrics.payment(provider: connector.name, outcome: result.outcome.metricName)
        try Self.throwIfFailed(result.outcome, intentID: payment.id)
        return recorded
    }

    /// Finishes what the first try of a request started: asks the provider again (under the attempt's own
    /// idempotency key, so the customer is charged once) if it never answered, then answers as the first try would.
    private func resume(_ attempt: PaymentAttemptRecord) async throws -> PaymentIntentAggregate {
        if !attempt.status.isFinal && attempt.providerReference == nil {
            try await refresh(attempt)
        }
        let payment = try await current(attempt.paymentIntentID, in: attempt.scope)
        if let now = payment.attempt(attempt.id)?.attempt, now.status == .failed, let failure = now.failure {
            try Self.throwIfFailed(.failed(failure), intentID: payment.id)
        }
        return payment
    }

    func authenticate(_ id: String, attemptID: String, otp: String, principal: Principal) async throws -> PaymentIntentAggregate {
        let payment = try await load(id, principal: principal)
        guard (1...32).contains(otp.count) else { throw ServiceError.invalid("parameter_invalid", "otp must have 1 to 32 characters.", param: "otp") }
        guard let attempt = PaymentAttemptID(validating: attemptID).flatMap(payment.attempt)
        else { throw ServiceError.notFound("payment", id: attemptID, param: "payment_id") }
        guard case .otp? = attempt.attempt.nextAction, attempt.status == .requiresAction, let reference = attempt.providerReference
        else { throw ServiceError.conflict("payment_attempt_unexpected_state", "This payment is not waiting for an OTP.") }
        let (account, connector) = try await provider(of: attempt)
        let result = await call(connector, account: account) { connector, context in
            try await connector.authenticate(reference: reference, otp: otp, context: context)
        } ?? .unknown
        let recorded = try await record(result, for: attempt)
        try Self.throwIfFailed(result.outcome, intentID: payment.id)
        return recorded
    }
}

extension ConnectorPaymentResult {
    /// The provider could not be reached: PayHub records the attempt as processing and checks it later.
    static let unknown = ConnectorPaymentResult(providerReference: nil, outcome: .processing)
}
