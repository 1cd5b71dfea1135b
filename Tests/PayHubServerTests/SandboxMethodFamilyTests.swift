import Foundation
@testable import PayHubServer
import XCTVapor

/// Every method family the checkout can show, through the sandbox, with the test values the README documents.
final class SandboxMethodFamilyTests: XCTestCase {
    private func attempt(_ hub: TestHub, _ method: [String: Any], amount: Int = 700) async throws -> (intent: String, reply: TestHub.Reply) {
        let intent = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": amount, "currency": "EUR"])
        let reply = try await hub.request(.POST, "/v1/payment_intents/\(intent.id)/payments", json: [
            "payment_method": method, "return_url": "https://shop.example/return",
        ])
        return (intent.id, reply)
    }

    private func status(_ hub: TestHub, _ intent: String) async throws -> String? {
        try await hub.request(.GET, "/v1/payment_intents/\(intent)")["status"] as? String
    }

    private func redirectPath(_ reply: TestHub.Reply) throws -> String {
        let action = try XCTUnwrap(reply["next_action"] as? [String: Any], reply.text)
        XCTAssertEqual(action["type"] as? String, "redirect_to_url")
        let url = try XCTUnwrap((action["redirect_to_url"] as? [String: Any])?["url"] as? String)
        return String(url.dropFirst("http://payhub.test".count))
    }

    func testWalletTokensPayAtOnceAndAWalletWithoutATokenGoesToItsPage() async throws {
        try await withEachDatabase { hub in
            for token in ["tok_applepay", "tok_googlepay"] {
                let (_, paid) = try await attempt(hub, ["type": "wallet", "token": token])
                XCTAssertEqual(paid["status"] as? String, "succeeded", "\(token): \(paid.text)")
            }
            let (_, declined) = try await attempt(hub, ["type": "wallet", "token": "tok_wallet_declined"])
            XCTAssertEqual(declined.errorCode, "card_declined", declined.text)
            let (_, unknown) = try await attempt(hub, ["type": "wallet", "token": "tok_visa"])
            XCTAssertEqual(unknown.errorCode, "invalid_payment_method", unknown.text)

            let (intent, paypal) = try await attempt(hub, ["type": "wallet", "network": "paypal"])
            let decided = try await hub.decideOnPage(try redirectPath(paypal), decision: "approve")
            XCTAssertEqual(decided.status, .seeOther)
            let paidStatus = try await status(hub, intent)
            XCTAssertEqual(paidStatus, "succeeded")
        }
    }

    func testBankRedirectAndBuyNowPayLaterAreDecidedOnTheirPage() async throws {
        try await withEachDatabase { hub in
            let (bankIntent, bank) = try await attempt(hub, ["type": "bank_redirect", "network": "ideal"])
            XCTAssertEqual(bank["status"] as? String, "requires_action", bank.text)
            _ = try await hub.decideOnPage(try redirectPath(bank), decision: "approve")
            let bankStatus = try await status(hub, bankIntent)
            XCTAssertEqual(bankStatus, "succeeded")

            let (planIntent, plan) = try await attempt(hub, ["type": "bnpl"])
            _ = try await hub.decideOnPage(try redirectPath(plan), decision: "fail")
            let refused = try await hub.request(.GET, "/v1/payment_intents/\(planIntent)")
            XCTAssertEqual(refused["status"] as? String, "requires_payment_method", "the customer may choose another way")
            XCTAssertEqual((refused["last_payment_error"] as? [String: Any])?["code"] as? String, "authentication_failed")
        }
    }

    func testBankTransferShowsInstructionsUntilTheMoneyArrives() async throws {
        try await withEachDatabase { hub in
            let (intent, transfer) = try await attempt(hub, ["type": "bank_transfer"], amount: 12_345)
            XCTAssertEqual(transfer["status"] as? String, "requires_action", transfer.text)
            let action = try XCTUnwrap(transfer["next_action"] as? [String: Any])
            XCTAssertEqual(action["type"] as? String, "display_bank_transfer_instructions")
            let instructions = try XCTUnwrap(action["display_bank_transfer_instructions"] as? [String: Any])
            XCTAssertEqual(instructions["iban"] as? String, "NL91ABNA0417164300")
            XCTAssertEqual(instructions["bic"] as? String, "ABNANL2A")
            XCTAssertTrue((instructions["reference"] as? String ?? "").hasPrefix("PAYHUB-"))
            let listed = try await hub.request(.GET, "/v1/payment_intents/\(intent)")
            XCTAssertEqual((listed["next_action"] as? [String: Any])?["type"] as? String, "display_bank_transfer_instructions",
                           "the stored next action reads back")
            do { let ran = try await hub.simulator.runOnce(); XCTAssertEqual(ran, 0, "no money before the delay") }
            hub.clock.advance(3)
            try await hub.simulator.runOnce()
            let arrived = try await status(hub, intent)
            XCTAssertEqual(arrived, "succeeded")
        }
    }

    func testQRPaysAsynchronouslyAndUnknownFamiliesAreRefused() async throws {
        try await withEachDatabase { hub in
            let (intent, qr) = try await attempt(hub, ["type": "qr"])
            XCTAssertEqual((qr["next_action"] as? [String: Any])?["type"] as? String, "display_qr_code", qr.text)
            hub.clock.advance(3)
            try await hub.simulator.runOnce()
            let scanned = try await status(hub, intent)
            XCTAssertEqual(scanned, "succeeded")

            let (_, unknown) = try await attempt(hub, ["type": "cash_on_delivery"])
            XCTAssertEqual(unknown.errorCode, "payment_method_unsupported", unknown.text)
        }
    }
}
