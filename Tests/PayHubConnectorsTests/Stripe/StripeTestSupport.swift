import Foundation
import PayHubConnectors
import PayHubCore
import XCTest

/// A transport that answers from a queue and records what it was sent.
actor StubStripeTransport: StripeTransport {
    private var answers: [Result<StripeHTTPResponse, any Error>]
    private(set) var requests: [StripeHTTPRequest] = []

    init(_ answers: [Result<StripeHTTPResponse, any Error>]) {
        self.answers = answers
    }

    /// Answers each call with the next JSON body and status.
    init(json bodies: [(status: Int, body: String)]) {
        answers = bodies.map { .success(StripeHTTPResponse(status: $0.status, headers: ["Request-Id": "req_stub"], body: Array($0.body.utf8))) }
    }

    func send(_ request: StripeHTTPRequest) async throws -> StripeHTTPResponse {
        requests.append(request)
        guard !answers.isEmpty else { throw StubError.noAnswerLeft }
        return try answers.removeFirst().get()
    }

    func firstRequest() throws -> StripeHTTPRequest {
        guard let request = requests.first else { throw StubError.nothingSent }
        return request
    }

    enum StubError: Error { case noAnswerLeft, connectionReset, nothingSent }
}

enum StripeTest {
    static let secretKey = "sk_test_51PayHubUnitTestKey"
    static let webhookSecret = "whsec_test_payhub_secret"
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    static func context(_ extra: [String: String] = [:], livemode: Bool = false) -> ConnectorContext {
        var values = ["secret_key": secretKey, "webhook_secret": webhookSecret]
        values.merge(extra) { _, new in new }
        return ConnectorContext(
            accountID: "pa_stripe1", credentials: ProviderCredentials(values), livemode: livemode,
            publicBaseURL: "https://payhub.example", now: now)
    }

    static func money(_ minorUnits: Int64, _ code: String = "EUR") throws -> Money {
        Money(minorUnits: minorUnits, currency: try Currency(code: code))
    }

    static func paymentRequest(
        token: String = "pm_card_visa", type: String = "card", amount: Int64 = 2000, currency: String = "EUR",
        capture: CaptureMethod = .automatic, returnURL: String? = "https://shop.example/return",
        description: String? = "Order 1234", idempotencyKey: String = "idem_attempt1"
    ) throws -> ConnectorPaymentRequest {
        ConnectorPaymentRequest(
            attemptID: PaymentAttemptID(rawValue: "py_attempt1"), paymentIntentID: PaymentIntentID(rawValue: "pi_payhub1"),
            amount: try money(amount, currency), captureMethod: capture, method: PaymentMethodData(type: type, token: token),
            returnURL: returnURL, description: description, customer: nil, idempotencyKey: idempotencyKey)
    }

    /// The pairs of a form body, decoded.
    static func form(_ body: [UInt8]) -> [(String, String)] {
        guard !body.isEmpty else { return [] }
        return String(decoding: body, as: UTF8.self).split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? "" }
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }
    }

    static func formDictionary(_ body: [UInt8]) -> [String: String] {
        Dictionary(form(body), uniquingKeysWith: { first, _ in first })
    }

    static func signedWebhook(_ body: String, secret: String = webhookSecret, at timestamp: Date = now) -> IncomingWebhook {
        let bytes = Array(body.utf8)
        let header = TimestampedSignature.sign(body: bytes, secret: secret, timestamp: Int(timestamp.timeIntervalSince1970))
        return IncomingWebhook(headers: ["Stripe-Signature": header, "Content-Type": "application/json"], body: bytes)
    }
}

/// Asserts that `body` throws `expected`.
func XCTAssertThrowsConnectorError<T>(
    _ expected: ConnectorError, file: StaticString = #filePath, line: UInt = #line, _ body: () async throws -> T
) async {
    do {
        _ = try await body()
        XCTFail("expected \(expected), got no error", file: file, line: line)
    } catch let error as ConnectorError {
        XCTAssertEqual(error, expected, file: file, line: line)
    } catch {
        XCTFail("expected \(expected), got \(error)", file: file, line: line)
    }
}

/// Returns the ConnectorError `body` throws, failing when it throws none or another kind.
func connectorError<T>(file: StaticString = #filePath, line: UInt = #line, _ body: () async throws -> T) async -> ConnectorError? {
    do {
        _ = try await body()
        XCTFail("expected a ConnectorError, got no error", file: file, line: line)
    } catch let error as ConnectorError {
        return error
    } catch {
        XCTFail("expected a ConnectorError, got \(error)", file: file, line: line)
    }
    return nil
}
