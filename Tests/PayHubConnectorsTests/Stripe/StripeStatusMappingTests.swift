import PayHubConnectors
import PayHubCore
import XCTest

/// Stripe's PaymentIntent and Refund statuses as PayHub outcomes.
final class StripeStatusMappingTests: XCTestCase {
    private func retrieve(_ json: String) async throws -> ProviderOutcome {
        let stub = StubStripeTransport(json: [(200, json)])
        return try await StripeConnector(transport: stub)
            .retrievePayment(reference: StripeFixtures.paymentIntentID, context: StripeTest.context()).outcome
    }

    func testSimpleStatuses() async throws {
        let expected: [(String, ProviderOutcome)] = [
            ("succeeded", .succeeded), ("requires_capture", .requiresCapture), ("processing", .processing),
            ("canceled", .canceled),
        ]
        for (status, outcome) in expected {
            let mapped = try await retrieve(StripeFixtures.paymentIntent(status: status))
            XCTAssertEqual(mapped, outcome, status)
        }
    }

    func testRequiresActionWithARedirect() async throws {
        let outcome = try await retrieve(StripeFixtures.paymentIntent(
            status: "requires_action", nextAction: StripeFixtures.redirectNextAction))
        XCTAssertEqual(outcome, .requiresAction(.redirectToURL(
            url: StripeFixtures.redirectURL, returnURL: "https://shop.example/return")))
    }

    func testRequiresActionForStripeJSFallsBackToPayHubsPage() async throws {
        let stub = StubStripeTransport(json: [(200, StripeFixtures.paymentIntent(
            status: "requires_action", nextAction: StripeFixtures.stripeSDKNextAction))])
        let result = try await StripeConnector(transport: stub).authorize(
            StripeTest.paymentRequest(returnURL: "https://shop.example/back"), context: StripeTest.context())

        XCTAssertEqual(result.outcome, .requiresAction(.redirectToURL(
            url: "https://payhub.example/stripe/authenticate/\(StripeFixtures.paymentIntentID)",
            returnURL: "https://shop.example/back")))
        XCTAssertEqual(
            StripeConnector.authenticationURL(publicBaseURL: "https://payhub.example", reference: "pi_1"),
            "https://payhub.example/stripe/authenticate/pi_1")
    }

    func testRequiresPaymentMethodAfterADeclineIsAFailure() async throws {
        let outcome = try await retrieve(StripeFixtures.paymentIntent(
            status: "requires_payment_method", lastPaymentError: StripeFixtures.declineLastPaymentError))
        XCTAssertEqual(outcome, .failed(PaymentFailure(
            kind: .cardError, code: "card_declined", declineCode: "insufficient_funds",
            message: "Your card has insufficient funds.")))
    }

    func testFailedAuthenticationIsACardError() async throws {
        let outcome = try await retrieve(StripeFixtures.paymentIntent(
            status: "requires_payment_method", lastPaymentError: StripeFixtures.authenticationFailureLastPaymentError))
        guard case .failed(let failure) = outcome else { return XCTFail("expected failed, got \(outcome)") }
        XCTAssertEqual(failure.kind, .cardError)
        XCTAssertEqual(failure.code, "payment_intent_authentication_failure")
        XCTAssertNil(failure.declineCode)
    }

    func testLocalstripesUntypedLastPaymentError() async throws {
        let outcome = try await retrieve(StripeFixtures.paymentIntent(
            status: "requires_payment_method",
            lastPaymentError: #"{"charge": "ch_1", "code": "card_declined", "message": "Your card was declined."}"#))
        XCTAssertEqual(outcome, .failed(PaymentFailure(
            kind: .cardError, code: "card_declined", declineCode: nil, message: "Your card was declined.")))
    }

    func testRequiresPaymentMethodWithoutAnError() async throws {
        let outcome = try await retrieve(StripeFixtures.paymentIntent(status: "requires_payment_method"))
        guard case .failed(let failure) = outcome else { return XCTFail("expected failed, got \(outcome)") }
        XCTAssertEqual(failure.code, "payment_failed")
    }

    func testUnexpectedStatusesAreInvalidResponses() async throws {
        for status in ["requires_confirmation", "something_new"] {
            let error = await connectorError { try await self.retrieve(StripeFixtures.paymentIntent(status: status)) }
            XCTAssertEqual(error, .invalidResponse("Stripe payment intent in unexpected status '\(status)'"))
        }
    }

    func testRefundStatuses() async throws {
        let expected: [(String, String?, RefundOutcome)] = [
            ("pending", nil, .pending), ("requires_action", nil, .pending), ("succeeded", nil, .succeeded),
            ("failed", "expired_or_canceled_card", .failed(reason: "expired_or_canceled_card")),
            ("failed", nil, .failed(reason: "failed")), ("canceled", nil, .canceled),
        ]
        for (status, reason, outcome) in expected {
            let stub = StubStripeTransport(json: [(200, StripeFixtures.refund(status: status, failureReason: reason))])
            let result = try await StripeConnector(transport: stub)
                .retrieveRefund(reference: StripeFixtures.refundID, context: StripeTest.context())
            XCTAssertEqual(result, ConnectorRefundResult(providerReference: StripeFixtures.refundID, outcome: outcome), status)
        }
        let stub = StubStripeTransport(json: [(200, StripeFixtures.refund(status: "reversed"))])
        let error = await connectorError {
            try await StripeConnector(transport: stub).retrieveRefund(reference: StripeFixtures.refundID, context: StripeTest.context())
        }
        XCTAssertEqual(error, .invalidResponse("Stripe refund in unexpected status 'reversed'"))
    }
}
