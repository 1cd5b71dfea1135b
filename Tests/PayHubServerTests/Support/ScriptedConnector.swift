import Foundation
import NIOConcurrencyHelpers
import PayHubConnectors
import PayHubCore

/// A provider whose every answer a test scripts, and which records every call PayHub makes: the provider that
/// times out, answers late, captures and then crashes, or does not honour idempotency keys.
final class ScriptedConnector: PaymentConnector, @unchecked Sendable {
    static let providerName = "scripted"
    var name: String { Self.providerName }
    let capabilities: ConnectorCapabilities

    struct Calls {
        var authorize: [ConnectorPaymentRequest] = []
        var capture: [(reference: String, amount: Money)] = []
        var cancel: [String] = []
        var refund: [ConnectorRefundRequest] = []
        var retrieve: [String] = []
        var find: [PaymentAttemptID] = []
    }

    typealias Answer<Input> = @Sendable (Input) async throws -> ConnectorPaymentResult
    private struct Script {
        var authorize: Answer<ConnectorPaymentRequest> = { _ in ConnectorPaymentResult(providerReference: "ref_1", outcome: .succeeded) }
        var capture: Answer<(String, Money)> = { ConnectorPaymentResult(providerReference: $0.0, outcome: .succeeded, amounts: ProviderAmounts(received: $0.1.minorUnits, capturable: 0)) }
        var cancel: Answer<String> = { ConnectorPaymentResult(providerReference: $0, outcome: .canceled) }
        var retrieve: Answer<String> = { ConnectorPaymentResult(providerReference: $0, outcome: .processing) }
        var find: @Sendable (PaymentAttemptID) async throws -> ConnectorPaymentResult? = { _ in nil }
        var refund: @Sendable (ConnectorRefundRequest) async throws -> ConnectorRefundResult = {
            ConnectorRefundResult(providerReference: "rref_" + $0.idempotencyKey, outcome: .succeeded)
        }
    }

    private let script = NIOLockedValueBox(Script())
    private let calls = NIOLockedValueBox(Calls())
    var recorded: Calls { calls.withLockedValue { $0 } }

    init(deduplication: Deduplication = .idempotencyKey) {
        capabilities = ConnectorCapabilities(
            methods: ["card"], manualCapture: true, partialRefund: true, statusCheck: true, incomingWebhooks: true, otp: false, liveMode: false,
            deduplication: deduplication)
    }

    func onAuthorize(_ answer: @escaping Answer<ConnectorPaymentRequest>) { script.withLockedValue { $0.authorize = answer } }
    func onCapture(_ answer: @escaping Answer<(String, Money)>) { script.withLockedValue { $0.capture = answer } }
    func onCancel(_ answer: @escaping Answer<String>) { script.withLockedValue { $0.cancel = answer } }
    func onRetrieve(_ answer: @escaping Answer<String>) { script.withLockedValue { $0.retrieve = answer } }
    func onFind(_ answer: @escaping @Sendable (PaymentAttemptID) async throws -> ConnectorPaymentResult?) { script.withLockedValue { $0.find = answer } }
    func onRefund(_ answer: @escaping @Sendable (ConnectorRefundRequest) async throws -> ConnectorRefundResult) { script.withLockedValue { $0.refund = answer } }

    func validateCredentials(_ credentials: ProviderCredentials) throws {}

    func authorize(_ request: ConnectorPaymentRequest, context: ConnectorContext) async throws -> ConnectorPaymentResult {
        calls.withLockedValue { $0.authorize.append(request) }
        return try await script.withLockedValue { $0.authorize }(request)
    }

    func authenticate(reference: String, otp: String, context: ConnectorContext) async throws -> ConnectorPaymentResult {
        throw ConnectorError.unsupported("otp")
    }

    func capture(reference: String, amount: Money, context: ConnectorContext) async throws -> ConnectorPaymentResult {
        calls.withLockedValue { $0.capture.append((reference, amount)) }
        return try await script.withLockedValue { $0.capture }((reference, amount))
    }

    func cancel(reference: String, context: ConnectorContext) async throws -> ConnectorPaymentResult {
        calls.withLockedValue { $0.cancel.append(reference) }
        return try await script.withLockedValue { $0.cancel }(reference)
    }

    func refund(_ request: ConnectorRefundRequest, context: ConnectorContext) async throws -> ConnectorRefundResult {
        calls.withLockedValue { $0.refund.append(request) }
        return try await script.withLockedValue { $0.refund }(request)
    }

    func retrievePayment(reference: String, context: ConnectorContext) async throws -> ConnectorPaymentResult {
        calls.withLockedValue { $0.retrieve.append(reference) }
        return try await script.withLockedValue { $0.retrieve }(reference)
    }

    func retrieveRefund(reference: String, context: ConnectorContext) async throws -> ConnectorRefundResult {
        ConnectorRefundResult(providerReference: reference, outcome: .succeeded)
    }

    func findPayment(attemptID: PaymentAttemptID, context: ConnectorContext) async throws -> ConnectorPaymentResult? {
        calls.withLockedValue { $0.find.append(attemptID) }
        return try await script.withLockedValue { $0.find }(attemptID)
    }

    /// Its webhooks are JSON `{"reference", "status", "amount_received"}`, trusted as they come (tests only).
    func parseWebhook(_ webhook: IncomingWebhook, context: ConnectorContext) throws -> ProviderWebhookEvent {
        struct Body: Decodable {
            var reference: String
            var status: String
            var amount_received: Int64?
        }
        let body = try JSONDecoder().decode(Body.self, from: Data(webhook.body))
        let outcome: ProviderOutcome = switch body.status {
        case "succeeded": .succeeded
        case "requires_capture": .requiresCapture
        case "canceled": .canceled
        default: .processing
        }
        return .payment(reference: body.reference, result: ConnectorPaymentResult(
            providerReference: body.reference, outcome: outcome, amounts: ProviderAmounts(received: body.amount_received)))
    }

    static let timeout = ConnectorError.unavailable("timed out")
}
