import Foundation
import PayHubConnectors
import PayHubCore
import XCTest

/// Saving a card on a payment and charging it later without the customer: what is sent and what comes back.
final class StripeSavedMethodTests: XCTestCase {
    private let expandedMethod = #"{"id": "pm_1MqM05LkdIwHu7ixlDxxO6Mc", "object": "payment_method", "type": "card", "card": {"brand": "visa", "last4": "4242", "exp_month": 8, "exp_year": 2034}}"#

    private func savingIntent(status: String = "succeeded", setupFutureUsage: String = "\"off_session\"", method: String? = nil) -> String {
        StripeFixtures.paymentIntent(status: status)
            .replacingOccurrences(of: #""customer": null"#, with: #""customer": "\#(StripeBillingFixtures.customerID)""#)
            .replacingOccurrences(of: #""setup_future_usage": null"#, with: #""setup_future_usage": \#(setupFutureUsage)"#)
            .replacingOccurrences(of: #""payment_method": "pm_1MtwBwLkdIwHu7ixLmtFLnDN""#, with: #""payment_method": \#(method ?? expandedMethod)"#)
    }

    private func savingRequest(customer: CustomerDetails? = CustomerDetails(name: "Jenny Rosen", email: "jenny@example.com", phone: "+33612345678", locale: "fr")) throws -> ConnectorPaymentRequest {
        var request = try StripeTest.paymentRequest()
        request.saveForOffSession = true
        request.customer = customer
        return request
    }

    func testASavingPaymentCreatesTheCustomerThenAnIntentThatSavesTheCard() async throws {
        let stub = StubStripeTransport(json: [(200, StripeBillingFixtures.customer), (200, savingIntent())])
        let result = try await StripeConnector(transport: stub).authorize(try savingRequest(), context: StripeTest.context())

        XCTAssertEqual(result.outcome, .succeeded)
        XCTAssertEqual(result.savedMethod, SavedPaymentMethod(
            customerReference: StripeBillingFixtures.customerID, methodReference: "pm_1MqM05LkdIwHu7ixlDxxO6Mc", type: "card",
            display: "visa •••• 4242"))
        let requests = await stub.requests
        XCTAssertEqual(requests.map(\.url), ["https://api.stripe.com/v1/customers", "https://api.stripe.com/v1/payment_intents"])
        XCTAssertEqual(requests[0].headers["Idempotency-Key"], "idem_attempt1:customer")
        XCTAssertEqual(StripeTest.form(requests[0].body).map { "\($0.0)=\($0.1)" }, [
            "name=Jenny Rosen", "email=jenny@example.com", "phone=+33612345678", "preferred_locales[0]=fr",
            "metadata[payhub_payment_intent_id]=pi_payhub1",
        ])
        XCTAssertEqual(requests[1].headers["Idempotency-Key"], "idem_attempt1")
        let intent = StripeTest.formDictionary(requests[1].body)
        XCTAssertEqual(intent["customer"], StripeBillingFixtures.customerID)
        XCTAssertEqual(intent["setup_future_usage"], "off_session")
        XCTAssertEqual(intent["payment_method"], "pm_card_visa")
        XCTAssertEqual(intent["confirm"], "true")
        XCTAssertEqual(intent["expand[]"], "payment_method")
        XCTAssertEqual(intent["metadata[payhub_save_for_off_session]"], "true")
        XCTAssertNil(intent["off_session"])
    }

    func testALocaleStripeWouldRefuseIsLeftOut() async throws {
        let stub = StubStripeTransport(json: [(200, StripeBillingFixtures.customer), (200, savingIntent())])
        let request = try savingRequest(customer: CustomerDetails(name: "Zoë", locale: "fr_FR; DROP"))
        _ = try await StripeConnector(transport: stub).authorize(request, context: StripeTest.context())
        let customer = StripeTest.formDictionary(try await stub.firstRequest().body)
        XCTAssertEqual(customer["name"], "Zoë")
        XCTAssertNil(customer["preferred_locales[0]"])
        XCTAssertNil(customer["email"])
    }

    func testAnIntentThatIsNotDoneYetSavesNothing() async throws {
        let stub = StubStripeTransport(json: [
            (200, StripeBillingFixtures.customer),
            (200, savingIntent(status: "requires_action").replacingOccurrences(
                of: #""next_action": null"#, with: #""next_action": \#(StripeFixtures.redirectNextAction)"#)),
        ])
        let result = try await StripeConnector(transport: stub).authorize(try savingRequest(), context: StripeTest.context())
        guard case .requiresAction = result.outcome else { return XCTFail("\(result.outcome)") }
        XCTAssertNil(result.savedMethod)
    }

    func testTheSavedMethodComesBackWithTheStatusCheckAfterAuthentication() async throws {
        let stub = StubStripeTransport(json: [(200, savingIntent(method: "\"pm_1MqM05LkdIwHu7ixlDxxO6Mc\""))])
        let result = try await StripeConnector(transport: stub).retrievePayment(
            reference: StripeFixtures.paymentIntentID, context: StripeTest.context())
        // Not expanded: the id without the card's digits.
        XCTAssertEqual(result.savedMethod, SavedPaymentMethod(
            customerReference: StripeBillingFixtures.customerID, methodReference: "pm_1MqM05LkdIwHu7ixlDxxO6Mc", type: "card"))
    }

    func testAnOrdinaryPaymentWithACustomerSavesNothing() async throws {
        let stub = StubStripeTransport(json: [(200, savingIntent(setupFutureUsage: "null"))])
        let result = try await StripeConnector(transport: stub).authorize(try StripeTest.paymentRequest(), context: StripeTest.context())
        XCTAssertEqual(result.outcome, .succeeded)
        XCTAssertNil(result.savedMethod)
        let sent = await stub.requests
        XCTAssertEqual(sent.count, 1)
    }

    func testLocalstripeAttachesTheCardInsteadOfSetupFutureUsage() async throws {
        let attached = #"{"id": "pm_attached1", "object": "payment_method", "type": "card", "customer": "cus_NffrFeUfNV2Hib", "card": {"brand": "visa", "last4": "4242"}}"#
        let stub = StubStripeTransport(json: [
            (200, StripeBillingFixtures.customer), (200, attached),
            (200, savingIntent(setupFutureUsage: "null", method: attached)
                .replacingOccurrences(of: #""metadata": {"#, with: #""metadata": {"payhub_save_for_off_session": "true", "#)),
        ])
        let context = StripeTest.context(["emulator": "localstripe", "base_url": "http://127.0.0.1:8420"])
        let result = try await StripeConnector(transport: stub).authorize(try savingRequest(), context: context)

        XCTAssertEqual(result.savedMethod?.methodReference, "pm_attached1")
        XCTAssertEqual(result.savedMethod?.display, "visa •••• 4242")
        let requests = await stub.requests
        XCTAssertEqual(requests.map(\.url), [
            "http://127.0.0.1:8420/v1/customers", "http://127.0.0.1:8420/v1/payment_methods/pm_card_visa/attach",
            "http://127.0.0.1:8420/v1/payment_intents",
        ])
        XCTAssertEqual(StripeTest.formDictionary(requests[1].body), ["customer": StripeBillingFixtures.customerID])
        let intent = StripeTest.formDictionary(requests[2].body)
        XCTAssertEqual(intent["payment_method"], "pm_attached1")
        XCTAssertNil(intent["setup_future_usage"])
    }

    func testADeclineWhileSavingIsAFailedAttempt() async throws {
        let stub = StubStripeTransport(json: [(200, StripeBillingFixtures.customer), (402, StripeFixtures.cardDeclinedError)])
        let result = try await StripeConnector(transport: stub).authorize(try savingRequest(), context: StripeTest.context())
        guard case .failed(let failure) = result.outcome else { return XCTFail("\(result.outcome)") }
        XCTAssertEqual(failure.declineCode, "insufficient_funds")
        XCTAssertNil(result.savedMethod)
    }

    // MARK: Off-session

    private func offSessionRequest(_ method: SavedPaymentMethod = SavedPaymentMethod(
        customerReference: StripeBillingFixtures.customerID, methodReference: StripeBillingFixtures.paymentMethodID, type: "card")
    ) throws -> ConnectorPaymentRequest {
        var request = try StripeTest.paymentRequest(token: "", returnURL: nil, description: "Renewal", idempotencyKey: "idem_renewal1")
        request.method = PaymentMethodData(type: "card")
        request.offSessionMethod = method
        return request
    }

    func testAnOffSessionPaymentChargesTheSavedCard() async throws {
        let stub = StubStripeTransport(json: [(200, StripeFixtures.paymentIntent(status: "succeeded"))])
        let result = try await StripeConnector(transport: stub).authorize(try offSessionRequest(), context: StripeTest.context())

        XCTAssertEqual(result.outcome, .succeeded)
        XCTAssertNil(result.savedMethod)
        let request = try await stub.firstRequest()
        XCTAssertEqual(request.headers["Idempotency-Key"], "idem_renewal1")
        XCTAssertEqual(StripeTest.form(request.body).map { "\($0.0)=\($0.1)" }, [
            "amount=2000", "currency=eur", "capture_method=automatic", "confirm=true", "payment_method_types[]=card",
            "off_session=true", "customer=\(StripeBillingFixtures.customerID)",
            "payment_method=\(StripeBillingFixtures.paymentMethodID)", "description=Renewal",
            "metadata[payhub_attempt_id]=py_attempt1", "metadata[payhub_payment_intent_id]=pi_payhub1",
        ])
    }

    func testAnOffSessionPaymentThatNeedsAuthenticationFailsWithStripesCode() async throws {
        let error = """
            {"error": {"code": "authentication_required", "decline_code": "authentication_required",
             "message": "Your card was declined. This transaction requires authentication.", "type": "card_error",
             "payment_intent": \(StripeFixtures.paymentIntent(status: "requires_payment_method"))}}
            """
        let stub = StubStripeTransport(json: [(402, error)])
        let result = try await StripeConnector(transport: stub).authorize(try offSessionRequest(), context: StripeTest.context())
        XCTAssertEqual(result, ConnectorPaymentResult(providerReference: StripeFixtures.paymentIntentID, outcome: .failed(PaymentFailure(
            kind: .cardError, code: "authentication_required", declineCode: "authentication_required",
            message: "Your card was declined. This transaction requires authentication."))))
    }

    func testAnEmulatorAskingForAuthenticationOffSessionCancelsAndFails() async throws {
        let stub = StubStripeTransport(json: [
            (200, StripeFixtures.paymentIntent(status: "requires_action", nextAction: StripeFixtures.stripeSDKNextAction)),
            (200, StripeFixtures.paymentIntent(status: "canceled")),
        ])
        let result = try await StripeConnector(transport: stub).authorize(try offSessionRequest(), context: StripeTest.context())
        guard case .failed(let failure) = result.outcome else { return XCTFail("\(result.outcome)") }
        XCTAssertEqual(failure.code, "authentication_required")
        XCTAssertEqual(result.providerReference, StripeFixtures.paymentIntentID)
        let requests = await stub.requests
        XCTAssertEqual(requests.last?.url, "https://api.stripe.com/v1/payment_intents/\(StripeFixtures.paymentIntentID)/cancel")
    }

    func testAHostileSavedMethodIsRefusedBeforeAnythingIsSent() async throws {
        let stub = StubStripeTransport(json: [])
        let connector = StripeConnector(transport: stub)
        for method in [
            SavedPaymentMethod(customerReference: nil, methodReference: "pm_1", type: "card"),
            SavedPaymentMethod(customerReference: "cus_1&amount=1", methodReference: "pm_1", type: "card"),
            SavedPaymentMethod(customerReference: "cus_1", methodReference: "tok_visa", type: "card"),
            SavedPaymentMethod(customerReference: "cus_1", methodReference: "pm_1", type: "mobile_money"),
        ] {
            let error = await connectorError { try await connector.authorize(try self.offSessionRequest(method), context: StripeTest.context()) }
            guard case .invalidRequest = error else { return XCTFail("\(String(describing: error))") }
        }
        let sent = await stub.requests
        XCTAssertEqual(sent.count, 0)
    }

    func testCapabilitiesDeclareSavedCardsAndSubscriptions() {
        let capabilities = StripeConnector(transport: StubStripeTransport(json: [])).capabilities
        XCTAssertEqual(capabilities.savedMethods, ["card"])
        XCTAssertTrue(capabilities.providerSubscriptions)
    }
}
