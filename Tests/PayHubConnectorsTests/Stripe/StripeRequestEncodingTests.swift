import PayHubConnectors
import PayHubCore
import XCTest

/// What the connector sends to Stripe: paths, form bodies and headers.
final class StripeRequestEncodingTests: XCTestCase {
    func testAuthorizeSendsAConfirmedPaymentIntentWithHeaders() async throws {
        let stub = StubStripeTransport(json: [(200, StripeFixtures.paymentIntent(status: "succeeded"))])
        let connector = StripeConnector(transport: stub, timeout: 12)

        let result = try await connector.authorize(StripeTest.paymentRequest(), context: StripeTest.context())

        XCTAssertEqual(result, ConnectorPaymentResult(
            providerReference: StripeFixtures.paymentIntentID, outcome: .succeeded, amounts: ProviderAmounts(received: 2000, capturable: 0)))
        let requests = await stub.requests
        XCTAssertEqual(requests.count, 1)
        let request = try XCTUnwrap(requests.first)
        XCTAssertEqual(request.method, .post)
        XCTAssertEqual(request.url, "https://api.stripe.com/v1/payment_intents")
        XCTAssertEqual(request.timeout, 12)
        XCTAssertEqual(request.headers["Authorization"], "Bearer \(StripeTest.secretKey)")
        XCTAssertEqual(request.headers["Stripe-Version"], "2024-06-20")
        XCTAssertEqual(request.headers["Idempotency-Key"], "idem_attempt1")
        XCTAssertEqual(request.headers["Content-Type"], "application/x-www-form-urlencoded")
        let pairs = StripeTest.form(request.body)
        XCTAssertEqual(pairs.map(\.0), [
            "amount", "currency", "capture_method", "confirm", "payment_method_types[]", "payment_method",
            "return_url", "description", "metadata[payhub_attempt_id]", "metadata[payhub_payment_intent_id]",
        ])
        XCTAssertEqual(pairs.map(\.1), [
            "2000", "eur", "automatic", "true", "card", "pm_card_visa", "https://shop.example/return", "Order 1234",
            "py_attempt1", "pi_payhub1",
        ])
    }

    func testFormBodyIsPercentEncoded() async throws {
        let stub = StubStripeTransport(json: [(200, StripeFixtures.paymentIntent(status: "succeeded"))])
        let request = try StripeTest.paymentRequest(
            returnURL: "https://shop.example/r?a=1&b=é", description: "Tea & cake, 100% = fine")
        _ = try await StripeConnector(transport: stub).authorize(request, context: StripeTest.context())

        let body = String(decoding: try await stub.firstRequest().body, as: UTF8.self)
        XCTAssertTrue(body.contains("return_url=https%3A%2F%2Fshop.example%2Fr%3Fa%3D1%26b%3D%C3%A9"), body)
        XCTAssertTrue(body.contains("description=Tea%20%26%20cake%2C%20100%25%20%3D%20fine"), body)
        XCTAssertTrue(body.contains("metadata%5Bpayhub_attempt_id%5D=py_attempt1"), body)
        XCTAssertTrue(body.contains("payment_method_types%5B%5D=card"), body)
    }

    func testManualCaptureAndNoOptionalFields() async throws {
        let stub = StubStripeTransport(json: [(200, StripeFixtures.paymentIntent(status: "requires_capture", captureMethod: "manual"))])
        let request = try StripeTest.paymentRequest(capture: .manual, returnURL: nil, description: nil)
        let result = try await StripeConnector(transport: stub).authorize(request, context: StripeTest.context())

        XCTAssertEqual(result.outcome, .requiresCapture)
        let form = StripeTest.formDictionary(try await stub.firstRequest().body)
        XCTAssertEqual(form["capture_method"], "manual")
        XCTAssertNil(form["return_url"])
        XCTAssertNil(form["description"])
    }

    func testCardTokenIsSentAsPaymentMethodData() async throws {
        let stub = StubStripeTransport(json: [(200, StripeFixtures.paymentIntent(status: "succeeded"))])
        _ = try await StripeConnector(transport: stub).authorize(
            StripeTest.paymentRequest(token: "tok_visa"), context: StripeTest.context())

        let form = StripeTest.formDictionary(try await stub.firstRequest().body)
        XCTAssertNil(form["payment_method"])
        XCTAssertEqual(form["payment_method_data[type]"], "card")
        XCTAssertEqual(form["payment_method_data[card][token]"], "tok_visa")
    }

    func testLocalstripeModeLeavesOutWhatLocalstripeRejects() async throws {
        let stub = StubStripeTransport(json: [
            (200, StripeFixtures.paymentIntent(status: "succeeded")), (200, StripeFixtures.refund(status: "succeeded")),
        ])
        let context = StripeTest.context(["emulator": "localstripe", "base_url": "http://127.0.0.1:8420/"])
        let connector = StripeConnector(transport: stub)

        _ = try await connector.authorize(StripeTest.paymentRequest(), context: context)
        _ = try await connector.refund(
            ConnectorRefundRequest(refundID: RefundID(rawValue: "re_payhub1"), paymentReference: StripeFixtures.paymentIntentID,
                                   amount: try StripeTest.money(500), reason: .duplicate, idempotencyKey: "idem_refund1"),
            context: context)

        let requests = await stub.requests
        XCTAssertEqual(requests.map(\.url), ["http://127.0.0.1:8420/v1/payment_intents", "http://127.0.0.1:8420/v1/refunds"])
        let payment = StripeTest.formDictionary(requests[0].body)
        XCTAssertNil(payment["description"])
        XCTAssertNil(payment["return_url"])
        XCTAssertEqual(payment["payment_method"], "pm_card_visa")
        XCTAssertNil(StripeTest.formDictionary(requests[1].body)["reason"])
    }

    /// localstripe takes no `payment_method_data`: a token (what its Stripe.js hands PayHub's card page) is paid
    /// with as the card it holds.
    func testLocalstripeModePaysATokenWithItsCard() async throws {
        let stub = StubStripeTransport(json: [
            (200, #"{"id": "tok_1Local", "object": "token", "card": {"id": "card_1Local", "object": "card", "last4": "4242"}}"#),
            (200, StripeFixtures.paymentIntent(status: "succeeded")),
        ])
        let context = StripeTest.context(["emulator": "localstripe", "base_url": "http://127.0.0.1:8420"])
        _ = try await StripeConnector(transport: stub).authorize(StripeTest.paymentRequest(token: "tok_1Local"), context: context)
        let requests = await stub.requests
        XCTAssertEqual(requests.map(\.url), ["http://127.0.0.1:8420/v1/tokens/tok_1Local", "http://127.0.0.1:8420/v1/payment_intents"])
        let payment = StripeTest.formDictionary(requests[1].body)
        XCTAssertEqual(payment["payment_method"], "card_1Local")
        XCTAssertNil(payment["payment_method_data[card][token]"])

        let empty = StubStripeTransport(json: [(200, #"{"id": "tok_2Local", "object": "token"}"#)])
        await XCTAssertThrowsConnectorError(.invalidRequest(
            code: "invalid_payment_method", message: "The card token holds no card.", param: "payment_method.token")) {
            try await StripeConnector(transport: empty).authorize(StripeTest.paymentRequest(token: "tok_2Local"), context: context)
        }
    }

    func testCardFieldsAreStripeJSWithStripesPolicySourcesOrLocalstripesOwnScript() throws {
        let connector = StripeConnector(transport: StubStripeTransport(json: []))
        XCTAssertNil(try connector.cardFields(context: StripeTest.context()), "no publishable key, no card fields")

        let stripe = try XCTUnwrap(try connector.cardFields(context: StripeTest.context(["publishable_key": "pk_test_123"])))
        XCTAssertEqual(stripe.scriptURL, "https://js.stripe.com/v3/")
        XCTAssertEqual(stripe.publishableKey, "pk_test_123")
        XCTAssertEqual(stripe.scriptSources, ["https://js.stripe.com", "https://*.js.stripe.com"])
        XCTAssertEqual(stripe.connectSources, ["https://api.stripe.com"])
        XCTAssertEqual(stripe.frameSources, ["https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com"])

        let emulated = try XCTUnwrap(try connector.cardFields(context: StripeTest.context([
            "publishable_key": "pk_test_123", "emulator": "localstripe", "base_url": "http://127.0.0.1:8420/",
        ])))
        XCTAssertEqual(emulated.scriptURL, "http://127.0.0.1:8420/js.stripe.com/v3/")
        XCTAssertEqual(emulated.scriptSources, ["http://127.0.0.1:8420"])
        XCTAssertEqual(emulated.connectSources, ["http://127.0.0.1:8420"])
        XCTAssertEqual(emulated.frameSources, [])

        XCTAssertThrowsError(try connector.cardFields(context: StripeTest.context(["publishable_key": "pk_test_123"], livemode: true)),
                             "a test key never serves live mode")
    }

    func testUnsupportedMethodsAndTokensAreRefusedWithoutACall() async throws {
        let stub = StubStripeTransport(json: [])
        let connector = StripeConnector(transport: stub)
        let context = StripeTest.context()

        let wrongType = await connectorError { try await connector.authorize(
            StripeTest.paymentRequest(type: "mobile_money"), context: context) }
        XCTAssertEqual(wrongType.map(Self.code), "payment_method_unsupported")
        for token in ["4242424242424242", "card_123", "pm_", "pm_abc/../x", ""] {
            let error = await connectorError { try await connector.authorize(
                StripeTest.paymentRequest(token: token), context: context) }
            XCTAssertEqual(error.map(Self.code), "invalid_payment_method", token)
        }
        let noRequests = await stub.requests
        XCTAssertTrue(noRequests.isEmpty)
    }

    func testCaptureCancelAndRetrieve() async throws {
        let stub = StubStripeTransport(json: [
            (200, StripeFixtures.paymentIntent(status: "succeeded", captureMethod: "manual")),
            (200, StripeFixtures.paymentIntent(status: "canceled")),
            (200, StripeFixtures.paymentIntent(status: "processing")),
        ])
        let connector = StripeConnector(transport: stub)
        let context = StripeTest.context()
        let id = StripeFixtures.paymentIntentID

        let captured = try await connector.capture(reference: id, amount: try StripeTest.money(1500), context: context)
        let canceled = try await connector.cancel(reference: id, context: context)
        let retrieved = try await connector.retrievePayment(reference: id, context: context)

        XCTAssertEqual(captured.outcome, .succeeded)
        XCTAssertEqual(canceled.outcome, .canceled)
        XCTAssertEqual(retrieved.outcome, .processing)
        let requests = await stub.requests
        XCTAssertEqual(requests.map(\.method), [.post, .post, .get])
        XCTAssertEqual(requests.map(\.url), [
            "https://api.stripe.com/v1/payment_intents/\(id)/capture",
            "https://api.stripe.com/v1/payment_intents/\(id)/cancel",
            "https://api.stripe.com/v1/payment_intents/\(id)",
        ])
        XCTAssertEqual(StripeTest.form(requests[0].body).map { "\($0.0)=\($0.1)" }, ["amount_to_capture=1500"])
        XCTAssertTrue(requests[1].body.isEmpty)
        XCTAssertTrue(requests[2].body.isEmpty)
        XCTAssertNil(requests[2].headers["Idempotency-Key"])
        XCTAssertEqual(requests[2].headers["Authorization"], "Bearer \(StripeTest.secretKey)")
    }

    func testRefundAndRetrieveRefund() async throws {
        let stub = StubStripeTransport(json: [
            (200, StripeFixtures.refund(status: "pending", amount: 500)), (200, StripeFixtures.refund(status: "succeeded")),
        ])
        let connector = StripeConnector(transport: stub)
        let request = ConnectorRefundRequest(
            refundID: RefundID(rawValue: "re_payhub1"), paymentReference: StripeFixtures.paymentIntentID,
            amount: try StripeTest.money(500), reason: .requestedByCustomer, idempotencyKey: "idem_refund1")

        let created = try await connector.refund(request, context: StripeTest.context())
        let retrieved = try await connector.retrieveRefund(reference: StripeFixtures.refundID, context: StripeTest.context())

        XCTAssertEqual(created, ConnectorRefundResult(providerReference: StripeFixtures.refundID, outcome: .pending))
        XCTAssertEqual(retrieved.outcome, .succeeded)
        let requests = await stub.requests
        XCTAssertEqual(requests[0].url, "https://api.stripe.com/v1/refunds")
        XCTAssertEqual(requests[0].headers["Idempotency-Key"], "idem_refund1")
        XCTAssertEqual(StripeTest.form(requests[0].body).map { "\($0.0)=\($0.1)" }, [
            "payment_intent=\(StripeFixtures.paymentIntentID)", "amount=500", "reason=requested_by_customer",
            "metadata[payhub_refund_id]=re_payhub1",
        ])
        XCTAssertEqual(requests[1].method, .get)
        XCTAssertEqual(requests[1].url, "https://api.stripe.com/v1/refunds/\(StripeFixtures.refundID)")
    }

    func testReferencesThatAreNotStripeIDsNeverReachTheNetwork() async throws {
        let stub = StubStripeTransport(json: [])
        let connector = StripeConnector(transport: stub)
        let context = StripeTest.context()
        let missing = ConnectorError.invalidRequest(code: "resource_missing", message: "No such Stripe payment intent.", param: nil)

        await XCTAssertThrowsConnectorError(missing) { try await connector.retrievePayment(reference: "pi_1/../../v1/refunds", context: context) }
        await XCTAssertThrowsConnectorError(missing) { try await connector.cancel(reference: "sbx_py_ok", context: context) }
        await XCTAssertThrowsConnectorError(missing) {
            try await connector.capture(reference: "pi_1?expand=x", amount: try StripeTest.money(1), context: context)
        }
        await XCTAssertThrowsConnectorError(.invalidRequest(code: "resource_missing", message: "No such Stripe refund.", param: nil)) {
            try await connector.retrieveRefund(reference: "pi_123", context: context)
        }
        let requests = await stub.requests
        XCTAssertTrue(requests.isEmpty)
    }

    func testAmountsFollowStripesCurrencyRules() async throws {
        let stub = StubStripeTransport(json: [
            (200, StripeFixtures.paymentIntent(status: "succeeded")), (200, StripeFixtures.paymentIntent(status: "succeeded")),
            (200, StripeFixtures.paymentIntent(status: "succeeded")),
        ])
        let connector = StripeConnector(transport: stub)
        let context = StripeTest.context()

        _ = try await connector.authorize(StripeTest.paymentRequest(amount: 500, currency: "JPY"), context: context)
        _ = try await connector.authorize(StripeTest.paymentRequest(amount: 41, currency: "ISK"), context: context)
        _ = try await connector.authorize(StripeTest.paymentRequest(amount: 1500, currency: "MGA"), context: context)
        let odd = await connectorError { try await connector.authorize(
            StripeTest.paymentRequest(amount: 1550, currency: "MGA"), context: context) }
        XCTAssertEqual(odd.map(Self.code), "amount_not_supported")

        let forms = await stub.requests.map { StripeTest.formDictionary($0.body) }
        XCTAssertEqual(forms.map { "\($0["amount"]!) \($0["currency"]!)" }, ["500 jpy", "4100 isk", "15 mga"])
    }

    func testOverlongIdempotencyKeysAreHashed() async throws {
        let stub = StubStripeTransport(json: [(200, StripeFixtures.paymentIntent(status: "succeeded"))])
        let key = String(repeating: "k", count: 300)
        _ = try await StripeConnector(transport: stub).authorize(
            StripeTest.paymentRequest(idempotencyKey: key), context: StripeTest.context())

        let headers = try await stub.firstRequest().headers
        let sent = try XCTUnwrap(headers["Idempotency-Key"])
        XCTAssertTrue(sent.hasPrefix("payhub-sha256-"))
        XCTAssertEqual(sent.count, "payhub-sha256-".count + 64)
    }

    func testOTPIsUnsupported() async throws {
        let connector = StripeConnector(transport: StubStripeTransport(json: []))
        let error = await connectorError {
            try await connector.authenticate(reference: StripeFixtures.paymentIntentID, otp: "1234", context: StripeTest.context())
        }
        guard case .unsupported = error else { return XCTFail("expected unsupported, got \(String(describing: error))") }
    }

    func testCapabilities() {
        let capabilities = StripeConnector(transport: StubStripeTransport(json: [])).capabilities
        XCTAssertEqual(capabilities.methods, ["card"])
        XCTAssertTrue(capabilities.manualCapture)
        XCTAssertTrue(capabilities.partialRefund)
        XCTAssertTrue(capabilities.statusCheck)
        XCTAssertTrue(capabilities.incomingWebhooks)
        XCTAssertFalse(capabilities.otp)
        XCTAssertEqual(StripeConnector(transport: StubStripeTransport(json: [])).name, "stripe")
    }

    static func code(_ error: ConnectorError) -> String {
        if case .invalidRequest(let code, _, _) = error { return code }
        return "not invalidRequest: \(error)"
    }
}
