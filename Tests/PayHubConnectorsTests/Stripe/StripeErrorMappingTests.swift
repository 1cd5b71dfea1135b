import PayHubConnectors
import PayHubCore
import XCTest

/// Stripe's failures as PayHub outcomes and connector errors.
final class StripeErrorMappingTests: XCTestCase {
    private func authorize(_ answers: [(status: Int, body: String)]) async throws -> ConnectorPaymentResult {
        try await StripeConnector(transport: StubStripeTransport(json: answers))
            .authorize(StripeTest.paymentRequest(), context: StripeTest.context())
    }

    func testCardDeclineIsAFailedOutcomeWithTheIntentReference() async throws {
        let result = try await authorize([(402, StripeFixtures.cardDeclinedError)])
        XCTAssertEqual(result, ConnectorPaymentResult(
            providerReference: StripeFixtures.paymentIntentID,
            outcome: .failed(PaymentFailure(
                kind: .cardError, code: "card_declined", declineCode: "insufficient_funds",
                message: "Your card has insufficient funds."))))
    }

    func testLocalstripeDeclineIsACardErrorToo() async throws {
        let result = try await authorize([(402, StripeFixtures.localstripeDeclinedError)])
        XCTAssertEqual(result, ConnectorPaymentResult(
            providerReference: nil,
            outcome: .failed(PaymentFailure(
                kind: .cardError, code: "card_declined", declineCode: nil, message: "Your card was declined."))))
    }

    func testDeclineWithoutABody() async throws {
        let result = try await authorize([(402, "")])
        guard case .failed(let failure) = result.outcome else { return XCTFail("expected failed, got \(result)") }
        XCTAssertEqual(failure.kind, .cardError)
        XCTAssertEqual(failure.code, "card_declined")
    }

    func testInvalidRequestsCarryStripesErrorObject() async throws {
        let cases: [(Int, String, ConnectorError)] = [
            (400, StripeFixtures.parameterInvalidError,
             .invalidRequest(code: "parameter_invalid_integer", message: "Invalid integer: abc", param: "amount")),
            (404, StripeFixtures.resourceMissingError,
             .invalidRequest(code: "resource_missing", message: "No such payment_intent: 'pi_3MtwBwLkdIwHu7ix28a3tqPa'", param: "intent")),
            (400, StripeFixtures.idempotencyError,
             .invalidRequest(code: "idempotency_error", message: "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than 'k1' if you meant to execute a different request.", param: nil)),
            (400, "not json", .invalidRequest(code: "http_400", message: "Stripe refused the request (HTTP 400).", param: nil)),
        ]
        for (status, body, expected) in cases {
            await XCTAssertThrowsConnectorError(expected) { try await self.authorize([(status, body)]) }
        }
    }

    func testCredentialFailures() async throws {
        await XCTAssertThrowsConnectorError(.invalidCredentials("Stripe did not accept the secret key")) {
            try await self.authorize([(401, StripeFixtures.authenticationError)])
        }
        let forbidden = await connectorError { try await self.authorize([(403, StripeFixtures.permissionError)]) }
        guard case .invalidCredentials(let why) = forbidden else { return XCTFail("got \(String(describing: forbidden))") }
        XCTAssertFalse(why.contains(StripeTest.secretKey))
    }

    func testServerErrorsRateLimitsAndConflictsAreUnavailable() async throws {
        for (status, body) in [(500, StripeFixtures.apiError), (502, "<html>Bad Gateway</html>"), (503, ""),
                               (429, StripeFixtures.rateLimitError), (409, StripeFixtures.idempotencyError)] {
            let error = await connectorError { try await self.authorize([(status, body)]) }
            guard case .unavailable = error else { return XCTFail("HTTP \(status) gave \(String(describing: error))") }
        }
    }

    func testNetworkFailuresAndTimeoutsAreUnavailable() async throws {
        struct Timeout: Error {}
        for failure in [StubStripeTransport.StubError.connectionReset, Timeout()] as [any Error] {
            let connector = StripeConnector(transport: StubStripeTransport([.failure(failure)]))
            let error = await connectorError {
                try await connector.retrievePayment(reference: StripeFixtures.paymentIntentID, context: StripeTest.context())
            }
            guard case .unavailable = error else { return XCTFail("\(failure) gave \(String(describing: error))") }
        }
    }

    func testUnreadableSuccessIsAnInvalidResponse() async throws {
        for body in ["", "{}", #"{"id": 12}"#, "[]"] {
            await XCTAssertThrowsConnectorError(.invalidResponse("Stripe's answer to POST /v1/payment_intents could not be read")) {
                try await self.authorize([(200, body)])
            }
        }
    }

    func testRetriedCaptureThatAlreadySucceededReportsSuccess() async throws {
        let stub = StubStripeTransport(json: [
            (400, StripeFixtures.unexpectedStateError), (200, StripeFixtures.paymentIntent(status: "succeeded", captureMethod: "manual")),
        ])
        let result = try await StripeConnector(transport: stub).capture(
            reference: StripeFixtures.paymentIntentID, amount: try StripeTest.money(2000), context: StripeTest.context())
        XCTAssertEqual(result.outcome, .succeeded)
        let methods = await stub.requests.map(\.method)
        XCTAssertEqual(methods, [.post, .get])
    }

    func testCaptureInAnotherStateStillFails() async throws {
        let stub = StubStripeTransport(json: [
            (400, StripeFixtures.unexpectedStateError), (200, StripeFixtures.paymentIntent(status: "canceled")),
        ])
        let error = await connectorError {
            try await StripeConnector(transport: stub).capture(
                reference: StripeFixtures.paymentIntentID, amount: try StripeTest.money(2000), context: StripeTest.context())
        }
        XCTAssertEqual(error.map(StripeRequestEncodingTests.code), "payment_intent_unexpected_state")
    }

    func testRetriedCancelThatAlreadyWentThrough() async throws {
        let stub = StubStripeTransport(json: [
            (400, StripeFixtures.unexpectedStateError), (200, StripeFixtures.paymentIntent(status: "canceled")),
        ])
        let result = try await StripeConnector(transport: stub).cancel(
            reference: StripeFixtures.paymentIntentID, context: StripeTest.context())
        XCTAssertEqual(result.outcome, .canceled)
    }

    func testDeclinedRefundIsAnInvalidRequest() async throws {
        let stub = StubStripeTransport(json: [(402, StripeFixtures.localstripeDeclinedError)])
        let request = ConnectorRefundRequest(
            refundID: RefundID(rawValue: "re_payhub1"), paymentReference: StripeFixtures.paymentIntentID,
            amount: try StripeTest.money(100), reason: nil, idempotencyKey: "k")
        await XCTAssertThrowsConnectorError(.invalidRequest(code: "card_declined", message: "Your card was declined.", param: nil)) {
            try await StripeConnector(transport: stub).refund(request, context: StripeTest.context())
        }
    }
}
