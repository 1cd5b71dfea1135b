import Foundation
import PayHubConnectors
import PayHubCore

/// Attempts: starting one with a provider, resuming one after a crash, and the customer's OTP.
extension PaymentService {
    func attempt(_ id: String, input: AttemptPaymentRequest, principal: Principal) async throws -> PaymentIntentObject {
        let intent = try await load(id, principal: principal)
        if let key = RequestIdempotency.key, let earlier = try await attempts(of: id).first(where: { $0.idempotencyKey == key }) {
            // A retry of a request that started this attempt but died before its response was stored.
            return try await resume(earlier)
        }
        let method = try InputRules.paymentMethod(input.paymentMethod)
        try InputRules.url(input.returnURL, param: "return_url")
        let currency = try Currency(code: intent.currency)
        let candidates = try await router.candidates(for: RouteRequest(
            provider: input.provider, methodType: method.type, currency: currency,
            merchantID: principal.merchantID, livemode: principal.livemode))
        // Today the first candidate takes the attempt; failover to the next ones will go here.
        guard let route = candidates.first else { throw APIError.invalid("provider_unavailable", "No provider account can take this payment.") }
        let (account, connector) = (route.account, route.connector)
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
        attempt.checkCount = 0
        let domainAttempt = PaymentAttempt(
            id: PaymentAttemptID(rawValue: attemptID), paymentIntentID: PaymentIntentID(rawValue: id),
            provider: connector.name, methodType: method.type, createdAt: now)
        try await start(domainAttempt, model: attempt)

        let request = try ProviderRequests.payment(intent: intent, attempt: attempt)
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
        if !(try attempt.domain().status.isFinal) && attempt.providerReference == nil {
            try await refresh(attempt)
        }
        guard let intent = try await PaymentIntentModel.find(intentID, on: reader) else {
            throw APIError.notFound("payment_intent", id: intentID)
        }
        let attempts = try await attempts(of: intentID)
        let object = Presenter.paymentIntent(intent, attempts: attempts)
        if let current = try attempts.first(where: { $0.id == attempt.id })?.domain(), current.status == .failed, let failure = current.failure {
            try Self.throwIfFailed(.failed(failure), object: object)
        }
        return object
    }

    func authenticate(_ id: String, attemptID: String, otp: String, principal: Principal) async throws -> PaymentIntentObject {
        _ = try await load(id, principal: principal)
        guard (1...32).contains(otp.count) else { throw APIError.invalid("parameter_invalid", "otp must have 1 to 32 characters.", param: "otp") }
        guard let attempt = try await attempts(of: id).first(where: { $0.id == attemptID })
        else { throw APIError.notFound("payment", id: attemptID, param: "payment_id") }
        guard case .otp? = try attempt.domain().nextAction, attempt.status == PaymentAttemptStatus.requiresAction.rawValue,
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
}

extension ConnectorPaymentResult {
    /// The provider could not be reached: PayHub records the attempt as processing and checks it later.
    static let unknown = ConnectorPaymentResult(providerReference: nil, outcome: .processing)
}
