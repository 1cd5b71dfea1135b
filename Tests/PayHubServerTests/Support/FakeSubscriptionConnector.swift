import Foundation
import NIOConcurrencyHelpers
import PayHubConnectors
import PayHubCore

/// A provider that runs subscriptions itself, in memory, for the automatic-renewal tests: it saves the card of a
/// saving payment, keeps its subscriptions (honouring idempotency keys on create), renews them when a test says
/// so, and takes webhooks as JSON `{"subscription", "status", "cancel_at_period_end", "inferred", "renewal": {...}}`,
/// trusted as they come (tests only). Every call is recorded; any can be made to fail.
final class FakeSubscriptionConnector: SubscriptionConnector, @unchecked Sendable {
    static let providerName = "subprovider"
    var name: String { Self.providerName }
    let capabilities = ConnectorCapabilities(
        methods: ["card"], manualCapture: false, partialRefund: true, statusCheck: true, incomingWebhooks: true, otp: false,
        liveMode: false, savedMethods: ["card"], providerSubscriptions: true)

    struct Calls {
        var authorize: [ConnectorPaymentRequest] = []
        var create: [ConnectorSubscriptionRequest] = []
        var cancel: [(reference: String, atPeriodEnd: Bool)] = []
        var resume: [String] = []
        var update: [(reference: String, amount: Money, interval: BillingInterval)] = []
        var retrieve: [String] = []
    }

    struct ProviderSubscription {
        var request: ConnectorSubscriptionRequest
        var status: ProviderSubscriptionStatus = .active
        var cancelAtPeriodEnd = false
        var amount: Money
        var latestRenewal: ProviderRenewal?
    }

    enum Step: Hashable { case create, cancel, resume, update, retrieve }

    private struct State {
        var calls = Calls()
        var subscriptions: [String: ProviderSubscription] = [:]
        var byKey: [String: String] = [:]
        /// Steps whose next call fails: before the provider acts (`false`), or after it acted (`true`: a lost answer).
        var failures: [Step: Bool] = [:]
        var renewals = 0
    }

    private let state = NIOLockedValueBox(State())
    var recorded: Calls { state.withLockedValue { $0.calls } }
    var subscriptionCount: Int { state.withLockedValue { $0.subscriptions.count } }
    func subscription(_ reference: String) -> ProviderSubscription? { state.withLockedValue { $0.subscriptions[reference] } }

    /// The next call of `step` fails; `afterActing`: the provider did it, but its answer never arrives.
    func failNext(_ step: Step, afterActing: Bool = false) { state.withLockedValue { $0.failures[step] = afterActing } }

    static let unreachable = ConnectorError.unavailable("timed out")

    /// The provider charges (or fails to charge) the next period of `reference`; returns the renewal it made.
    @discardableResult
    func renew(_ reference: String, paid: Bool = true, pageURL: String? = nil) -> ProviderRenewal {
        state.withLockedValue { state in
            state.renewals += 1
            var subscription = state.subscriptions[reference]!
            let start = subscription.request.billingStart
            let renewal = ProviderRenewal(
                reference: "in_\(state.renewals)", amount: subscription.amount, paid: paid, paymentReference: "fpi_renewal_\(state.renewals)",
                periodStart: start, periodEnd: subscription.request.interval.date(after: 1, from: start), paymentPageURL: pageURL)
            subscription.latestRenewal = renewal
            subscription.status = paid ? .active : .pastDue
            state.subscriptions[reference] = subscription
            return renewal
        }
    }

    /// The provider pays a renewal it had failed to charge (its own retry).
    func payRetry(_ reference: String) -> ProviderRenewal {
        state.withLockedValue { state in
            var subscription = state.subscriptions[reference]!
            var renewal = subscription.latestRenewal!
            renewal.paid = true
            renewal.paymentPageURL = nil
            subscription.latestRenewal = renewal
            subscription.status = .active
            state.subscriptions[reference] = subscription
            return renewal
        }
    }

    /// The provider ends the subscription on its own (its retries ran out).
    func end(_ reference: String) { state.withLockedValue { $0.subscriptions[reference]?.status = .canceled } }

    /// A webhook body telling of `reference`'s renewal only (its state inferred), as Stripe's invoice events do.
    static func renewalWebhook(_ reference: String, _ renewal: ProviderRenewal) -> [String: Any] {
        var body: [String: Any] = [
            "subscription": reference, "status": renewal.paid ? "active" : "past_due", "inferred": true,
            "renewal": [
                "reference": renewal.reference, "amount": renewal.amount.minorUnits, "currency": renewal.amount.currency.code,
                "paid": renewal.paid, "payment": renewal.paymentReference ?? "",
            ] as [String: Any],
        ]
        if let url = renewal.paymentPageURL { body["page_url"] = url }
        return body
    }

    /// A webhook body telling of the subscription's own state.
    static func stateWebhook(_ reference: String, status: String, cancelAtPeriodEnd: Bool) -> [String: Any] {
        ["subscription": reference, "status": status, "cancel_at_period_end": cancelAtPeriodEnd, "inferred": false]
    }

    private func failure(_ step: Step) -> Bool? {
        state.withLockedValue { state in state.failures.removeValue(forKey: step) }
    }

    private func result(_ reference: String) throws -> ConnectorSubscriptionResult {
        guard let s = state.withLockedValue({ $0.subscriptions[reference] }) else {
            throw ConnectorError.invalidRequest(code: "resource_missing", message: "No such subscription.", param: nil)
        }
        return ConnectorSubscriptionResult(
            reference: reference, status: s.status, currentPeriodStart: s.request.billingStart,
            currentPeriodEnd: s.request.interval.date(after: 1, from: s.request.billingStart), cancelAtPeriodEnd: s.cancelAtPeriodEnd,
            latestRenewal: s.latestRenewal)
    }

    /// Runs a change the way a provider does: it may fail before acting, or act and lose its answer.
    private func perform(_ step: Step, _ reference: String, _ change: (inout ProviderSubscription) -> Void) throws -> ConnectorSubscriptionResult {
        let failing = failure(step)
        if failing == false { throw Self.unreachable }
        try state.withLockedValue { state in
            guard var s = state.subscriptions[reference] else {
                throw ConnectorError.invalidRequest(code: "resource_missing", message: "No such subscription.", param: nil)
            }
            change(&s)
            state.subscriptions[reference] = s
        }
        if failing == true { throw Self.unreachable }
        return try result(reference)
    }

    // MARK: - SubscriptionConnector

    func createSubscription(_ request: ConnectorSubscriptionRequest, context: ConnectorContext) async throws -> ConnectorSubscriptionResult {
        let failing = failure(.create)
        if failing == false { throw Self.unreachable }
        let reference = state.withLockedValue { state in
            state.calls.create.append(request)
            if let known = state.byKey[request.idempotencyKey] { return known }
            let reference = "fsub_\(state.subscriptions.count + 1)"
            state.byKey[request.idempotencyKey] = reference
            state.subscriptions[reference] = ProviderSubscription(request: request, amount: request.amount)
            return reference
        }
        if failing == true { throw Self.unreachable }
        return try result(reference)
    }

    func cancelSubscription(reference: String, atPeriodEnd: Bool, context: ConnectorContext) async throws -> ConnectorSubscriptionResult {
        state.withLockedValue { $0.calls.cancel.append((reference, atPeriodEnd)) }
        return try perform(.cancel, reference) { s in
            if atPeriodEnd { s.cancelAtPeriodEnd = true } else { s.status = .canceled }
        }
    }

    func resumeSubscription(reference: String, context: ConnectorContext) async throws -> ConnectorSubscriptionResult {
        state.withLockedValue { $0.calls.resume.append(reference) }
        return try perform(.resume, reference) { $0.cancelAtPeriodEnd = false }
    }

    func updateSubscription(
        reference: String, amount: Money, interval: BillingInterval, context: ConnectorContext
    ) async throws -> ConnectorSubscriptionResult {
        state.withLockedValue { $0.calls.update.append((reference, amount, interval)) }
        return try perform(.update, reference) { s in
            s.amount = amount
            s.request.interval = interval
        }
    }

    func retrieveSubscription(reference: String, context: ConnectorContext) async throws -> ConnectorSubscriptionResult {
        state.withLockedValue { $0.calls.retrieve.append(reference) }
        if failure(.retrieve) != nil { throw Self.unreachable }
        return try result(reference)
    }

    // MARK: - PaymentConnector

    func validateCredentials(_ credentials: ProviderCredentials) throws {}

    func authorize(_ request: ConnectorPaymentRequest, context: ConnectorContext) async throws -> ConnectorPaymentResult {
        let count = state.withLockedValue { state in
            state.calls.authorize.append(request)
            return state.calls.authorize.count
        }
        let saved = request.saveForOffSession
            ? SavedPaymentMethod(customerReference: "fcus_\(count)", methodReference: "fpm_\(count)", type: "card", display: "visa •••• 4242")
            : nil
        return ConnectorPaymentResult(providerReference: "fpi_\(count)", outcome: .succeeded, savedMethod: saved)
    }

    func authenticate(reference: String, otp: String, context: ConnectorContext) async throws -> ConnectorPaymentResult {
        throw ConnectorError.unsupported("otp")
    }

    func capture(reference: String, amount: Money, context: ConnectorContext) async throws -> ConnectorPaymentResult {
        throw ConnectorError.unsupported("manual capture")
    }

    func cancel(reference: String, context: ConnectorContext) async throws -> ConnectorPaymentResult {
        ConnectorPaymentResult(providerReference: reference, outcome: .canceled)
    }

    func refund(_ request: ConnectorRefundRequest, context: ConnectorContext) async throws -> ConnectorRefundResult {
        ConnectorRefundResult(providerReference: "fre_" + request.idempotencyKey, outcome: .succeeded)
    }

    func retrievePayment(reference: String, context: ConnectorContext) async throws -> ConnectorPaymentResult {
        ConnectorPaymentResult(providerReference: reference, outcome: .succeeded)
    }

    func retrieveRefund(reference: String, context: ConnectorContext) async throws -> ConnectorRefundResult {
        ConnectorRefundResult(providerReference: reference, outcome: .succeeded)
    }

    func parseWebhook(_ webhook: IncomingWebhook, context: ConnectorContext) throws -> ProviderWebhookEvent {
        struct Body: Decodable {
            struct Renewal: Decodable {
                var reference: String
                var amount: Int64
                var currency: String
                var paid: Bool
                var payment: String?
            }
            var subscription: String
            var status: ProviderSubscriptionStatus
            var cancel_at_period_end: Bool?
            var inferred: Bool
            var renewal: Renewal?
            var page_url: String?
        }
        let body = try JSONDecoder().decode(Body.self, from: Data(webhook.body))
        let renewal = try body.renewal.map {
            ProviderRenewal(
                reference: $0.reference, amount: Money(minorUnits: $0.amount, currency: try Currency(code: $0.currency)), paid: $0.paid,
                paymentReference: $0.payment, periodStart: context.now, periodEnd: context.now, paymentPageURL: body.page_url)
        }
        return .subscription(reference: body.subscription, result: ConnectorSubscriptionResult(
            reference: body.subscription, status: body.status, currentPeriodStart: nil, currentPeriodEnd: nil,
            cancelAtPeriodEnd: body.cancel_at_period_end ?? false, latestRenewal: renewal, stateIsInferred: body.inferred))
    }
}
