import Fluent
import AsyncHTTPClient
import Foundation
import PayHubConnectors
@testable import PayHubServer
import XCTVapor

/// Payments through PayHub's API with a Stripe provider account pointed at the localstripe emulator.
final class StripeThroughPayHubTests: XCTestCase {
    func testStripeFlowsThroughTheAPI() async throws {
        guard let localstripe = ProcessInfo.processInfo.environment["PAYHUB_LOCALSTRIPE_URL"], !localstripe.isEmpty else {
            throw XCTSkip("PAYHUB_LOCALSTRIPE_URL not set: Stripe flows through the API skipped")
        }
        let hub = try await TestHub.start(.sqlite, connectors: [StripeConnector(), SandboxConnector()])
        do {
            let account = try await ProviderAccountService(context: hub.context, db: hub.app.db).add(
                merchantID: hub.merchant.id, provider: "stripe", livemode: false, name: "Stripe (localstripe)",
                credentials: ["secret_key": "sk_test_payhub", "base_url": localstripe, "emulator": "localstripe"])
            XCTAssertTrue(account.webhookURL.contains("/v1/providers/stripe/webhooks/\(account.id)"))

            func attempt(_ capture: String, method: String) async throws -> TestHub.Reply {
                let intent = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 2000, "currency": "EUR", "capture_method": capture])
                return try await hub.request(.POST, "/v1/payment_intents/\(intent.id)/payments", json: [
                    "provider": "stripe", "payment_method": ["type": "card", "token": method],
                ])
            }

            let paid = try await attempt("automatic", method: "pm_card_visa")
            XCTAssertEqual(paid["status"] as? String, "succeeded", paid.text)
            let reference = (paid["payments"] as? [[String: Any]])?.first?["provider_reference"] as? String
            XCTAssertTrue(reference?.hasPrefix("pi_") ?? false)

            let refund = try await hub.request(.POST, "/v1/refunds", json: ["payment_intent": paid.id, "amount": 500])
            XCTAssertEqual(refund["status"] as? String, "succeeded", refund.text)
            XCTAssertTrue((refund["provider_reference"] as? String)?.hasPrefix("re_") ?? false)

            let authorised = try await attempt("manual", method: "pm_card_visa")
            XCTAssertEqual(authorised["status"] as? String, "requires_capture", authorised.text)
            let captured = try await hub.request(.POST, "/v1/payment_intents/\(authorised.id)/capture", json: ["amount": 1500])
            XCTAssertEqual(captured["status"] as? String, "succeeded", captured.text)
            XCTAssertEqual(captured["amount_received"] as? Int, 1500)

            let toCancel = try await attempt("manual", method: "pm_card_visa")
            let canceled = try await hub.request(.POST, "/v1/payment_intents/\(toCancel.id)/cancel")
            XCTAssertEqual(canceled["status"] as? String, "canceled", canceled.text)

            let declined = try await attempt("automatic", method: "pm_card_chargeCustomerFail")
            XCTAssertEqual(declined.status, .paymentRequired, declined.text)

            let synced = try await hub.request(.POST, "/v1/payment_intents/\(paid.id)/sync")
            XCTAssertEqual(synced["status"] as? String, "succeeded")

            // 3-D Secure: localstripe answers use_stripe_sdk, so PayHub serves the authentication page itself.
            let threeDS = try await Self.localstripePaymentMethod(card: "4000000000003220", baseURL: localstripe)
            let intent = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 2000, "currency": "EUR"])
            let challenged = try await hub.request(.POST, "/v1/payment_intents/\(intent.id)/payments", json: [
                "provider": "stripe", "payment_method": ["type": "card", "token": threeDS], "return_url": "https://shop.example/back",
            ])
            XCTAssertEqual(challenged["status"] as? String, "requires_action", challenged.text)
            let redirect = (challenged["next_action"] as? [String: Any])?["redirect_to_url"] as? [String: Any]
            let url = try XCTUnwrap(redirect?["url"] as? String)
            let path = String(url.dropFirst("http://payhub.test".count))
            XCTAssertTrue(path.hasPrefix("/stripe/authenticate/pi_"), path)
            let page = try await hub.app.testable().performTest(request: .init(method: .GET, url: URI(path: path), headers: [:], body: ByteBuffer()))
            XCTAssertEqual(page.status, .ok, page.body.string)
            XCTAssertTrue(page.body.string.contains("20.00 EUR"))
            let decided = try await hub.decideOnPage(path, decision: "approve")
            XCTAssertEqual(decided.headers.first(name: .location), "https://shop.example/back?payment_intent=\(intent.id)")
            let authenticated = try await hub.request(.GET, "/v1/payment_intents/\(intent.id)")
            XCTAssertEqual(authenticated["status"] as? String, "succeeded", authenticated.text)
        } catch {
            XCTFail("\(error)")
        }
        try await hub.stop()
    }

    /// Creates a PaymentMethod in localstripe from a test card number, as a browser with Stripe.js would.
    /// (The card number goes to the emulator only; PayHub only ever sees the pm_ id.)
    static func localstripePaymentMethod(card: String, baseURL: String) async throws -> String {
        var request = HTTPClientRequest(url: baseURL + "/v1/payment_methods")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer sk_test_payhub")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: "type=card&card[number]=\(card)&card[exp_month]=12&card[exp_year]=2034&card[cvc]=123"))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        return try XCTUnwrap(json?["id"] as? String)
    }
}
