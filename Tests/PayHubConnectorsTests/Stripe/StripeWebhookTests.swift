import Foundation
import PayHubConnectors
import PayHubCore
import XCTest

/// `Stripe-Signature` verification and event mapping.
final class StripeWebhookTests: XCTestCase {
    private let connector = StripeConnector(transport: StubStripeTransport(json: []))
    private let succeeded = StripeFixtures.event(
        type: "payment_intent.succeeded", object: StripeFixtures.paymentIntent(status: "succeeded"))

    private func parse(_ webhook: IncomingWebhook, context: ConnectorContext = StripeTest.context()) throws -> ProviderWebhookEvent {
        try connector.parseWebhook(webhook, context: context)
    }

    private func assertSignatureInvalid(_ webhook: IncomingWebhook, line: UInt = #line) {
        XCTAssertThrowsError(try parse(webhook), line: line) { error in
            guard case ConnectorError.signatureInvalid = error else { return XCTFail("\(error)", line: line) }
        }
    }

    /// Partial captures are overwritten (issue 6, 1.2): the webhook of a partial capture carries what Stripe
    /// captured, so PayHub records that and not the full amount.
    func testASucceededWebhookCarriesTheCapturedAmount() throws {
        let partial = StripeFixtures.event(
            type: "payment_intent.succeeded",
            object: StripeFixtures.paymentIntent(status: "succeeded", captureMethod: "manual", amount: 2000, amountReceived: 1200))
        guard case .payment(_, let result) = try parse(StripeTest.signedWebhook(partial)) else { return XCTFail("not a payment event") }
        XCTAssertEqual(result.outcome, .succeeded)
        XCTAssertEqual(result.amounts, ProviderAmounts(received: 1200, capturable: 0))
    }

    // MARK: Signatures

    func testValidSignature() throws {
        let event = try parse(StripeTest.signedWebhook(succeeded))
        XCTAssertEqual(event, .payment(
            reference: StripeFixtures.paymentIntentID,
            result: ConnectorPaymentResult(
                providerReference: StripeFixtures.paymentIntentID, outcome: .succeeded, amounts: ProviderAmounts(received: 2000, capturable: 0))))
    }

    func testSignatureComputedLikeStripesLibraries() throws {
        // HMAC-SHA256 of "<t>.<body>" keyed with the whole whsec_ string as UTF-8, hex-encoded; computed
        // independently with Python's hmac module, as Stripe's libraries and localstripe do.
        let body = Array(#"{"id":"evt_1","object":"event","type":"customer.created","data":{"object":{}}}"#.utf8)
        let header = "t=1700000000,v1=3ad1eef19d6d850e14f1283034c575b33560e8c07e3f9c97f65debafb59d4174"
        let event = try parse(IncomingWebhook(headers: ["Stripe-Signature": header], body: body))
        XCTAssertEqual(event, .ignored(type: "customer.created"))
    }

    func testWrongSecretOrTamperedBody() {
        assertSignatureInvalid(StripeTest.signedWebhook(succeeded, secret: "whsec_other"))
        var tampered = StripeTest.signedWebhook(succeeded)
        tampered.body[tampered.body.count - 2] ^= 0x01
        assertSignatureInvalid(tampered)
    }

    func testExpiredAndFutureTimestamps() throws {
        assertSignatureInvalid(StripeTest.signedWebhook(succeeded, at: StripeTest.now.addingTimeInterval(-301)))
        assertSignatureInvalid(StripeTest.signedWebhook(succeeded, at: StripeTest.now.addingTimeInterval(301)))
        XCTAssertNoThrow(try parse(StripeTest.signedWebhook(succeeded, at: StripeTest.now.addingTimeInterval(-299))))
    }

    func testRotatedSecretsAnyV1Matches() throws {
        let body = Array(succeeded.utf8)
        let t = Int(StripeTest.now.timeIntervalSince1970)
        let current = TimestampedSignature.sign(body: body, secret: StripeTest.webhookSecret, timestamp: t)
        let old = TimestampedSignature.sign(body: body, secret: "whsec_old", timestamp: t)
        let oldV1 = old.components(separatedBy: "v1=")[1]
        let currentV1 = current.components(separatedBy: "v1=")[1]

        for header in ["t=\(t),v1=\(oldV1),v1=\(currentV1)", "t=\(t),v1=\(currentV1),v1=\(oldV1)",
                       "t=\(t),v0=\(oldV1),v1=\(currentV1)"] {
            XCTAssertNoThrow(try parse(IncomingWebhook(headers: ["stripe-signature": header], body: body)), header)
        }
        assertSignatureInvalid(IncomingWebhook(headers: ["stripe-signature": "t=\(t),v1=\(oldV1)"], body: body))
        assertSignatureInvalid(IncomingWebhook(headers: ["stripe-signature": "t=\(t),v0=\(currentV1)"], body: body))
    }

    func testMissingOrMalformedHeader() {
        let body = Array(succeeded.utf8)
        assertSignatureInvalid(IncomingWebhook(headers: [:], body: body))
        assertSignatureInvalid(IncomingWebhook(headers: ["stripe-signature": "garbage"], body: body))
        assertSignatureInvalid(IncomingWebhook(headers: ["stripe-signature": "v1=abc"], body: body))
    }

    func testWebhookSecretIsRequired() {
        let context = ConnectorContext(
            accountID: "pa_1", credentials: ProviderCredentials(["secret_key": StripeTest.secretKey]), livemode: false,
            publicBaseURL: "https://payhub.example", now: StripeTest.now)
        XCTAssertThrowsError(try parse(StripeTest.signedWebhook(succeeded), context: context)) { error in
            XCTAssertEqual(error as? ConnectorError, .invalidCredentials("missing 'webhook_secret'"))
        }
    }

    func testSignedButUnreadableBody() {
        XCTAssertThrowsError(try parse(StripeTest.signedWebhook("not json"))) { error in
            guard case ConnectorError.invalidResponse = error else { return XCTFail("\(error)") }
        }
        let broken = StripeFixtures.event(type: "payment_intent.succeeded", object: #"{"object": "payment_intent"}"#)
        XCTAssertThrowsError(try parse(StripeTest.signedWebhook(broken))) { error in
            guard case ConnectorError.invalidResponse = error else { return XCTFail("\(error)") }
        }
    }

    // MARK: Events

    func testPaymentIntentEvents() throws {
        let cases: [(String, String, ProviderOutcome)] = [
            ("payment_intent.succeeded", StripeFixtures.paymentIntent(status: "succeeded"), .succeeded),
            ("payment_intent.amount_capturable_updated",
             StripeFixtures.paymentIntent(status: "requires_capture", captureMethod: "manual"), .requiresCapture),
            ("payment_intent.processing", StripeFixtures.paymentIntent(status: "processing"), .processing),
            ("payment_intent.canceled", StripeFixtures.paymentIntent(status: "canceled"), .canceled),
            ("payment_intent.requires_action",
             StripeFixtures.paymentIntent(status: "requires_action", nextAction: StripeFixtures.redirectNextAction),
             .requiresAction(.redirectToURL(url: StripeFixtures.redirectURL, returnURL: "https://shop.example/return"))),
            ("payment_intent.requires_action",
             StripeFixtures.paymentIntent(status: "requires_action", nextAction: StripeFixtures.stripeSDKNextAction),
             .requiresAction(.redirectToURL(
                url: "https://payhub.example/stripe/authenticate/\(StripeFixtures.paymentIntentID)", returnURL: nil))),
            ("payment_intent.payment_failed",
             StripeFixtures.paymentIntent(status: "requires_payment_method", lastPaymentError: StripeFixtures.declineLastPaymentError),
             .failed(PaymentFailure(kind: .cardError, code: "card_declined", declineCode: "insufficient_funds",
                                    message: "Your card has insufficient funds."))),
        ]
        for (type, object, outcome) in cases {
            let event = try parse(StripeTest.signedWebhook(StripeFixtures.event(type: type, object: object)))
            guard case .payment(let reference, let result) = event else { return XCTFail("\(type): \(event)") }
            XCTAssertEqual(reference, StripeFixtures.paymentIntentID, type)
            XCTAssertEqual(result.providerReference, StripeFixtures.paymentIntentID, type)
            XCTAssertEqual(result.outcome, outcome, type)
        }
    }

    func testRefundEvents() throws {
        let cases: [(String, String, RefundOutcome)] = [
            ("refund.created", StripeFixtures.refund(status: "pending"), .pending),
            ("refund.updated", StripeFixtures.refund(status: "succeeded"), .succeeded),
            ("refund.failed", StripeFixtures.refund(status: "failed", failureReason: "lost_or_stolen_card"),
             .failed(reason: "lost_or_stolen_card")),
            ("charge.refund.updated", StripeFixtures.refund(status: "failed", failureReason: "expired_or_canceled_card"),
             .failed(reason: "expired_or_canceled_card")),
            ("charge.refund.updated", StripeFixtures.refund(status: "canceled"), .canceled),
        ]
        for (type, object, outcome) in cases {
            let event = try parse(StripeTest.signedWebhook(StripeFixtures.event(type: type, object: object)))
            XCTAssertEqual(event, .refund(
                reference: StripeFixtures.refundID,
                result: ConnectorRefundResult(providerReference: StripeFixtures.refundID, outcome: outcome)), type)
        }
    }

    func testChargeRefundedUsesTheNewestListedRefund() throws {
        let charge = StripeFixtures.refundedCharge(refunds: [
            StripeFixtures.refund(id: "re_newest", status: "succeeded"), StripeFixtures.refund(id: "re_older", status: "succeeded"),
        ])
        let event = try parse(StripeTest.signedWebhook(StripeFixtures.event(type: "charge.refunded", object: charge)))
        XCTAssertEqual(event, .refund(
            reference: "re_newest", result: ConnectorRefundResult(providerReference: "re_newest", outcome: .succeeded)))

        // Since API version 2022-11-15 the charge lists no refunds: nothing to report.
        let bare = #"{"id": "ch_1", "object": "charge", "amount_refunded": 2000, "refunded": true}"#
        let ignored = try parse(StripeTest.signedWebhook(StripeFixtures.event(type: "charge.refunded", object: bare)))
        XCTAssertEqual(ignored, .ignored(type: "charge.refunded"))
    }

    func testOtherEventsAreIgnored() throws {
        for type in ["customer.created", "payment_intent.created", "charge.succeeded", "invoice.paid"] {
            let event = try parse(StripeTest.signedWebhook(StripeFixtures.event(type: type, object: #"{"id": "x_1"}"#)))
            XCTAssertEqual(event, .ignored(type: type))
        }
    }
}
