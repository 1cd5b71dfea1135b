import Foundation
@testable import PayHubConnectors
import PayHubCore
import XCTest

/// The Stripe connector against a running localstripe (`pip install localstripe`,
/// `localstripe --port 8420 --from-scratch`, then `PAYHUB_LOCALSTRIPE_URL=http://127.0.0.1:8420`;
/// `scripts/localstripe/test.sh` does all of it). Skipped when the variable is not set.
final class StripeLocalstripeTests: LocalstripeTestCase {
    static let secretKey = "sk_test_payhub_localstripe"
    static let webhookSecret = "whsec_payhub_localstripe_tests"

    // MARK: Payments

    func testAutomaticCaptureWithATestCard() async throws {
        let method = try await admin.cardPaymentMethod("4242424242424242", baseURL: baseURL)
        let result = try await connector.authorize(request(token: method), context: context)

        let reference = try XCTUnwrap(result.providerReference)
        XCTAssertTrue(reference.hasPrefix("pi_"), reference)
        XCTAssertEqual(result.outcome, .succeeded)
        let retrieved = try await connector.retrievePayment(reference: reference, context: context)
        XCTAssertEqual(retrieved, ConnectorPaymentResult(providerReference: reference, outcome: .succeeded))

        let intent = try await admin.get("/v1/payment_intents/\(reference)", baseURL: baseURL)
        XCTAssertEqual(intent["amount"] as? Int, 2000)
        XCTAssertEqual(intent["currency"] as? String, "eur")
        XCTAssertEqual(intent["metadata"] as? [String: String],
                       ["payhub_attempt_id": "py_localstripe1", "payhub_payment_intent_id": "pi_payhub_localstripe"])
    }

    func testStripeTestPaymentMethodID() async throws {
        let result = try await connector.authorize(request(token: "pm_card_visa"), context: context)
        XCTAssertEqual(result.outcome, .succeeded)
    }

    func testManualCaptureThenFullCapture() async throws {
        let method = try await admin.cardPaymentMethod("4242424242424242", baseURL: baseURL)
        let authorized = try await connector.authorize(request(token: method, capture: .manual), context: context)
        XCTAssertEqual(authorized.outcome, .requiresCapture)
        let reference = try XCTUnwrap(authorized.providerReference)

        let captured = try await connector.capture(reference: reference, amount: try money(2000), context: context)
        XCTAssertEqual(captured, ConnectorPaymentResult(providerReference: reference, outcome: .succeeded))
        let retrieved = try await connector.retrievePayment(reference: reference, context: context)
        XCTAssertEqual(retrieved.outcome, .succeeded)
    }

    func testManualCaptureThenPartialCapture() async throws {
        let method = try await admin.cardPaymentMethod("4242424242424242", baseURL: baseURL)
        let authorized = try await connector.authorize(request(token: method, capture: .manual), context: context)
        let reference = try XCTUnwrap(authorized.providerReference)

        let captured = try await connector.capture(reference: reference, amount: try money(1200), context: context)
        XCTAssertEqual(captured.outcome, .succeeded)
        // localstripe records a partial capture as a full capture plus a refund of the rest.
        let intent = try await admin.get("/v1/payment_intents/\(reference)", baseURL: baseURL)
        let charge = try XCTUnwrap(intent["latest_charge"] as? [String: Any])
        XCTAssertEqual(charge["captured"] as? Bool, true)
        XCTAssertEqual(charge["amount_refunded"] as? Int, 800)
    }

    func testThreeDSecureThenAuthenticated() async throws {
        let method = try await admin.cardPaymentMethod("4000000000003220", baseURL: baseURL)
        let result = try await connector.authorize(request(token: method), context: context)
        let reference = try XCTUnwrap(result.providerReference)
        // localstripe answers `use_stripe_sdk`, so the customer goes to PayHub's own authentication page.
        XCTAssertEqual(result.outcome, .requiresAction(.redirectToURL(
            url: "http://payhub.test/stripe/authenticate/\(reference)", returnURL: "https://shop.example/return")))

        let intent = try await admin.get("/v1/payment_intents/\(reference)", baseURL: baseURL)
        let clientSecret = try XCTUnwrap(intent["client_secret"] as? String)
        _ = try await admin.post("/v1/payment_intents/\(reference)/_authenticate",
                                 form: ["client_secret": clientSecret, "success": "true"], baseURL: baseURL)

        let retrieved = try await connector.retrievePayment(reference: reference, context: context)
        XCTAssertEqual(retrieved, ConnectorPaymentResult(providerReference: reference, outcome: .succeeded))
    }

    func testThreeDSecureFailedAuthentication() async throws {
        let method = try await admin.cardPaymentMethod("4000000000003220", baseURL: baseURL)
        let result = try await connector.authorize(request(token: method, capture: .manual), context: context)
        let reference = try XCTUnwrap(result.providerReference)

        let failed = try await connector.completeEmulatedAuthentication(reference: reference, success: false, context: context)
        guard case .failed(let failure) = failed.outcome else { return XCTFail("expected failed, got \(failed)") }
        XCTAssertEqual(failure.kind, .cardError)
        XCTAssertEqual(failure.code, "payment_intent_authentication_failure")
        let retrieved = try await connector.retrievePayment(reference: reference, context: context)
        XCTAssertEqual(retrieved.outcome, failed.outcome)
    }

    func testDeclinedCard() async throws {
        let method = try await admin.cardPaymentMethod("4000000000000341", baseURL: baseURL)
        let result = try await connector.authorize(request(token: method), context: context)
        // localstripe's 402 carries no payment_intent, so there is no reference to report.
        XCTAssertEqual(result, ConnectorPaymentResult(providerReference: nil, outcome: .failed(PaymentFailure(
            kind: .cardError, code: "card_declined", declineCode: nil, message: "Your card was declined."))))
    }

    func testCancelAnAuthorisation() async throws {
        let method = try await admin.cardPaymentMethod("4242424242424242", baseURL: baseURL)
        let authorized = try await connector.authorize(request(token: method, capture: .manual), context: context)
        let reference = try XCTUnwrap(authorized.providerReference)

        let canceled = try await connector.cancel(reference: reference, context: context)
        XCTAssertEqual(canceled, ConnectorPaymentResult(providerReference: reference, outcome: .canceled))
        let retrieved = try await connector.retrievePayment(reference: reference, context: context)
        XCTAssertEqual(retrieved.outcome, .canceled)
    }

    // MARK: Refunds

    func testPartialThenFullRefund() async throws {
        let method = try await admin.cardPaymentMethod("4242424242424242", baseURL: baseURL)
        let payment = try await connector.authorize(request(token: method), context: context)
        let reference = try XCTUnwrap(payment.providerReference)

        let partial = try await connector.refund(refund(reference, amount: 500, id: "re_payhub_partial"), context: context)
        let partialReference = try XCTUnwrap(partial.providerReference)
        XCTAssertTrue(partialReference.hasPrefix("re_"), partialReference)
        XCTAssertEqual(partial.outcome, .succeeded)

        let rest = try await connector.refund(refund(reference, amount: 1500, id: "re_payhub_rest"), context: context)
        XCTAssertEqual(rest.outcome, .succeeded)

        let retrieved = try await connector.retrieveRefund(reference: partialReference, context: context)
        XCTAssertEqual(retrieved, ConnectorRefundResult(providerReference: partialReference, outcome: .succeeded))
        let stored = try await admin.get("/v1/refunds/\(partialReference)", baseURL: baseURL)
        XCTAssertEqual(stored["amount"] as? Int, 500)
        XCTAssertEqual(stored["metadata"] as? [String: String], ["payhub_refund_id": "re_payhub_partial"])
    }

    func testErrorsFromLocalstripe() async throws {
        // localstripe's errors have no `code`: the connector reports the error's type instead.
        await XCTAssertThrowsConnectorError(.invalidRequest(code: "invalid_request_error", message: "Not Found", param: nil)) {
            try await self.connector.retrievePayment(reference: "pi_doesnotexist", context: self.context)
        }
        // A route localstripe does not have answers a plain-text 404.
        var wrongBase = context
        wrongBase.credentials.values["base_url"] = baseURL + "/nothing-here"
        await XCTAssertThrowsConnectorError(.invalidRequest(code: "http_404", message: "Stripe refused the request (HTTP 404).", param: nil)) {
            try await self.connector.retrievePayment(reference: "pi_1", context: wrongBase)
        }
    }

    // MARK: Webhooks

    func testSignedWebhookFromLocalstripe() async throws {
        let receiver = try LocalWebhookReceiver()
        defer { receiver.stop() }
        _ = try await admin.post("/_config/webhooks/payhub_stripe_tests", form: [
            "url": receiver.url, "secret": Self.webhookSecret, "events[]": "payment_intent.succeeded",
        ], baseURL: baseURL)

        let method = try await admin.cardPaymentMethod("4242424242424242", baseURL: baseURL)
        let payment = try await connector.authorize(request(token: method), context: context)
        let reference = try XCTUnwrap(payment.providerReference)

        let webhook = try await receiver.webhook(matching: { String(decoding: $0.body, as: UTF8.self).contains(reference) })
        XCTAssertNotNil(webhook.headers["stripe-signature"])
        let event = try connector.parseWebhook(webhook, context: context)
        XCTAssertEqual(event, .payment(
            reference: reference, result: ConnectorPaymentResult(providerReference: reference, outcome: .succeeded)))

        var tampered = webhook
        tampered.body.append(contentsOf: Array(" ".utf8))
        XCTAssertThrowsError(try connector.parseWebhook(tampered, context: context)) { error in
            guard case ConnectorError.signatureInvalid = error else { return XCTFail("\(error)") }
        }
        var otherSecret = context
        otherSecret.credentials.values["webhook_secret"] = "whsec_someone_else"
        XCTAssertThrowsError(try connector.parseWebhook(webhook, context: otherSecret))
    }

    // MARK: Helpers

    private func money(_ minorUnits: Int64) throws -> Money {
        Money(minorUnits: minorUnits, currency: try Currency(code: "EUR"))
    }

    private func request(token: String, capture: CaptureMethod = .automatic) throws -> ConnectorPaymentRequest {
        ConnectorPaymentRequest(
            attemptID: PaymentAttemptID(rawValue: "py_localstripe1"),
            paymentIntentID: PaymentIntentID(rawValue: "pi_payhub_localstripe"), amount: try money(2000),
            captureMethod: capture, method: PaymentMethodData(type: "card", token: token),
            returnURL: "https://shop.example/return", description: "localstripe test", customer: nil,
            idempotencyKey: UUID().uuidString)
    }

    private func refund(_ payment: String, amount: Int64, id: String) throws -> ConnectorRefundRequest {
        ConnectorRefundRequest(
            refundID: RefundID(rawValue: id), paymentReference: payment, amount: try money(amount),
            reason: .requestedByCustomer, idempotencyKey: UUID().uuidString)
    }
}

/// What every localstripe test has: the emulator's URL (`PAYHUB_LOCALSTRIPE_URL`; skipped without it), the
/// connector, raw calls and the context that reaches it.
class LocalstripeTestCase: XCTestCase {
    var baseURL = ""
    let connector = StripeConnector(transport: StripeHTTPClientTransport(), timeout: 10)
    let admin = LocalstripeAdmin(transport: StripeHTTPClientTransport())

    override func setUpWithError() throws {
        guard let url = ProcessInfo.processInfo.environment["PAYHUB_LOCALSTRIPE_URL"], !url.isEmpty else {
            throw XCTSkip("PAYHUB_LOCALSTRIPE_URL not set: localstripe tests skipped")
        }
        baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    var context: ConnectorContext {
        ConnectorContext(
            accountID: "pa_localstripe",
            credentials: ProviderCredentials([
                "secret_key": StripeLocalstripeTests.secretKey, "webhook_secret": StripeLocalstripeTests.webhookSecret,
                "base_url": baseURL, "emulator": "localstripe",
            ]),
            livemode: false, publicBaseURL: "http://payhub.test", now: Date())
    }
}

/// Raw calls the tests make themselves: creating PaymentMethods from test card numbers (which PayHub never
/// sends), localstripe's `_authenticate` and `_config` routes, and reads of what localstripe stored.
struct LocalstripeAdmin: Sendable {
    var transport: any StripeTransport

    func cardPaymentMethod(_ number: String, baseURL: String) async throws -> String {
        let method = try await post("/v1/payment_methods", form: [
            "type": "card", "card[number]": number, "card[exp_month]": "12", "card[exp_year]": "2034", "card[cvc]": "123",
        ], baseURL: baseURL)
        return try XCTUnwrap(method["id"] as? String)
    }

    func post(_ path: String, form: [String: String], baseURL: String) async throws -> [String: Any] {
        var body = StripeForm()
        for (key, value) in form.sorted(by: { $0.key < $1.key }) { body.add(key, value) }
        return try await call(StripeHTTPRequest(
            method: .post, url: baseURL + path,
            headers: ["Authorization": "Bearer \(StripeLocalstripeTests.secretKey)",
                      "Content-Type": "application/x-www-form-urlencoded"],
            body: body.encoded(), timeout: 10))
    }

    func get(_ path: String, baseURL: String) async throws -> [String: Any] {
        try await call(StripeHTTPRequest(
            method: .get, url: baseURL + path, headers: ["Authorization": "Bearer \(StripeLocalstripeTests.secretKey)"],
            body: [], timeout: 10))
    }

    private func call(_ request: StripeHTTPRequest) async throws -> [String: Any] {
        let response = try await transport.send(request)
        guard (200..<300).contains(response.status) else {
            throw AdminError.status(response.status, String(decoding: response.body, as: UTF8.self))
        }
        if response.body.isEmpty { return [:] }
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    enum AdminError: Error { case status(Int, String) }
}
