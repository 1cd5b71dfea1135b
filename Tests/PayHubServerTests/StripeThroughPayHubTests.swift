import Fluent
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
        } catch {
            XCTFail("\(error)")
        }
        try await hub.stop()
    }
}
