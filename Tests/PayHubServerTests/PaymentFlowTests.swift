import Foundation
@testable import PayHubServer
import XCTVapor

final class PaymentFlowTests: XCTestCase {
    func testCardPaymentSucceedsAndRecordsItsEvents() async throws {
        try await withEachDatabase { hub in
            let created = try await hub.request(.POST, "/v1/payment_intents", json: [
                "amount": 1250, "currency": "eur", "customer_reference": "cust-1", "purchase_reference": "order-1",
                "description": "Two books", "metadata": ["order": "42"],
                "customer": ["name": "Ada", "email": "ada@example.com", "phone": "+39 333 1234567", "locale": "it-IT"],
            ])
            XCTAssertEqual(created.status, .created, created.text)
            XCTAssertTrue(created.id.hasPrefix("pi_"))
            XCTAssertEqual(created["status"] as? String, "requires_payment_method")
            XCTAssertEqual(created["currency"] as? String, "EUR")
            XCTAssertNotNil(created["client_token"] as? String)

            let paid = try await hub.request(
                .POST, "/v1/payment_intents/\(created.id)/payments", json: ["payment_method": ["type": "card", "token": "tok_visa"]])
            XCTAssertEqual(paid.status, .created, paid.text)
            XCTAssertEqual(paid["status"] as? String, "succeeded")
            XCTAssertEqual(paid["amount_received"] as? Int, 1250)
            let payments = paid["payments"] as? [[String: Any]] ?? []
            XCTAssertEqual(payments.count, 1)
            XCTAssertEqual(payments.first?["provider"] as? String, "sandbox")
            XCTAssertEqual(payments.first?["status"] as? String, "succeeded")

            let retrieved = try await hub.request(.GET, "/v1/payment_intents/\(created.id)")
            XCTAssertEqual(retrieved["status"] as? String, "succeeded")
            XCTAssertNil(retrieved["client_token"])

            let events = try await hub.request(.GET, "/v1/events?object_id=\(created.id)")
            let types = (events["data"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String }
            XCTAssertEqual(Set(types), ["payment_intent.created", "payment_intent.succeeded"])
        }
    }

    func testDeclinesAreCardErrorsAndTheIntentStaysOpen() async throws {
        try await withEachDatabase { hub in
            let declined = try await hub.pay(token: "tok_insufficient_funds")
            XCTAssertEqual(declined.status, .paymentRequired, declined.text)
            XCTAssertEqual(declined.errorType, "card_error")
            let error = declined["error"] as? [String: Any]
            XCTAssertEqual(error?["decline_code"] as? String, "insufficient_funds")
            let intent = error?["payment_intent"] as? [String: Any]
            XCTAssertEqual(intent?["status"] as? String, "requires_payment_method")
            let intentID = intent?["id"] as? String ?? ""
            XCTAssertEqual((intent?["last_payment_error"] as? [String: Any])?["decline_code"] as? String, "insufficient_funds")

            let retry = try await hub.request(
                .POST, "/v1/payment_intents/\(intentID)/payments", json: ["payment_method": ["type": "card", "token": "tok_visa"]])
            XCTAssertEqual(retry["status"] as? String, "succeeded")
            XCTAssertEqual((retry["payments"] as? [Any])?.count, 2)

            let unknown = try await hub.pay(token: "tok_nonsense")
            XCTAssertEqual(unknown.status, .badRequest)
            XCTAssertEqual(unknown.errorCode, "invalid_payment_method")
        }
    }

    func testThreeDSecureRedirectApprovedOnTheSandboxPage() async throws {
        try await withEachDatabase { hub in
            let intent = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 500, "currency": "EUR"])
            let attempt = try await hub.request(.POST, "/v1/payment_intents/\(intent.id)/payments", json: [
                "payment_method": ["type": "card", "token": "tok_threeds"], "return_url": "https://shop.example/return",
            ])
            XCTAssertEqual(attempt["status"] as? String, "requires_action", attempt.text)
            let action = attempt["next_action"] as? [String: Any]
            XCTAssertEqual(action?["type"] as? String, "redirect_to_url")
            let redirect = action?["redirect_to_url"] as? [String: Any]
            XCTAssertEqual(redirect?["return_url"] as? String, "https://shop.example/return")
            let url = try XCTUnwrap(redirect?["url"] as? String)
            let path = String(url.dropFirst("http://payhub.test".count))

            let page = try await hub.app.testable().performTest(request: .init(method: .GET, url: URI(path: path), headers: [:], body: ByteBuffer()))
            XCTAssertEqual(page.status, .ok, page.body.string)
            XCTAssertTrue(page.body.string.contains("5.00 EUR"))

            let decided = try await hub.decideOnPage(path, decision: "approve")
            XCTAssertEqual(decided.status, .seeOther, decided.body.string)
            XCTAssertEqual(decided.headers.first(name: .location), "https://shop.example/return?payment_intent=\(intent.id)")
            let done = try await hub.request(.GET, "/v1/payment_intents/\(intent.id)")
            XCTAssertEqual(done["status"] as? String, "succeeded")
        }
    }

    func testAsynchronousCompletionThroughTheSignedSandboxWebhook() async throws {
        try await withEachDatabase { hub in
            let attempt = try await hub.pay(token: "tok_processing")
            XCTAssertEqual(attempt["status"] as? String, "processing", attempt.text)
            do { let ran = try await hub.simulator.runOnce(); XCTAssertEqual(ran, 0, "nothing settles before the delay") }
            hub.clock.advance(3)
            do { let ran = try await hub.simulator.runOnce(); XCTAssertEqual(ran, 1) }
            let done = try await hub.request(.GET, "/v1/payment_intents/\(attempt.id)")
            XCTAssertEqual(done["status"] as? String, "succeeded")

            let failing = try await hub.pay(token: "tok_processing_declined")
            hub.clock.advance(3)
            try await hub.simulator.runOnce()
            let failed = try await hub.request(.GET, "/v1/payment_intents/\(failing.id)")
            XCTAssertEqual(failed["status"] as? String, "requires_payment_method")
            XCTAssertNotNil(failed["last_payment_error"] as? [String: Any])
        }
    }

    func testMobileMoneyWithOTPAndWithUSSD() async throws {
        try await withEachDatabase { hub in
            let intent = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 5000, "currency": "XOF"])
            let otp = try await hub.request(.POST, "/v1/payment_intents/\(intent.id)/payments", json: [
                "payment_method": ["type": "mobile_money", "msisdn": "+2250700000001", "country": "CI"],
            ])
            XCTAssertEqual(otp["status"] as? String, "requires_action", otp.text)
            XCTAssertEqual((otp["next_action"] as? [String: Any])?["type"] as? String, "otp")
            let paymentID = ((otp["payments"] as? [[String: Any]])?.first?["id"] as? String) ?? ""
            let wrong = try await hub.request(
                .POST, "/v1/payment_intents/\(intent.id)/payments/\(paymentID)/authenticate", json: ["otp": "0000"])
            XCTAssertEqual(wrong.status, .paymentRequired)
            XCTAssertEqual(wrong.errorCode, "authentication_failed")

            let second = try await hub.request(.POST, "/v1/payment_intents/\(intent.id)/payments", json: [
                "payment_method": ["type": "mobile_money", "msisdn": "+2250700000001", "country": "CI"],
            ])
            let secondID = ((second["payments"] as? [[String: Any]])?.first { $0["status"] as? String == "requires_action" }?["id"] as? String) ?? ""
            let right = try await hub.request(
                .POST, "/v1/payment_intents/\(intent.id)/payments/\(secondID)/authenticate", json: ["otp": "1234"])
            XCTAssertEqual(right["status"] as? String, "succeeded", right.text)

            let ussdIntent = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 5000, "currency": "XOF"])
            let ussd = try await hub.request(.POST, "/v1/payment_intents/\(ussdIntent.id)/payments", json: [
                "payment_method": ["type": "mobile_money", "msisdn": "+2250700000002", "country": "CI"],
            ])
            XCTAssertEqual((ussd["next_action"] as? [String: Any])?["type"] as? String, "ussd")
            hub.clock.advance(3)
            try await hub.simulator.runOnce()
            let settled = try await hub.request(.GET, "/v1/payment_intents/\(ussdIntent.id)")
            XCTAssertEqual(settled["status"] as? String, "succeeded")
        }
    }

    func testManualCapturePartialThenNoSecondCapture() async throws {
        try await withEachDatabase { hub in
            let authorised = try await hub.pay(amount: 1000, capture: "manual")
            XCTAssertEqual(authorised["status"] as? String, "requires_capture", authorised.text)
            XCTAssertEqual(authorised["amount_capturable"] as? Int, 1000)
            let tooMuch = try await hub.request(.POST, "/v1/payment_intents/\(authorised.id)/capture", json: ["amount": 1001])
            XCTAssertEqual(tooMuch.errorCode, "amount_too_large")
            let captured = try await hub.request(.POST, "/v1/payment_intents/\(authorised.id)/capture", json: ["amount": 600])
            XCTAssertEqual(captured["status"] as? String, "succeeded", captured.text)
            XCTAssertEqual(captured["amount_received"] as? Int, 600)
            let again = try await hub.request(.POST, "/v1/payment_intents/\(authorised.id)/capture")
            XCTAssertEqual(again.status, .conflict)
            let refund = try await hub.request(.POST, "/v1/refunds", json: ["payment_intent": authorised.id, "amount": 601])
            XCTAssertEqual(refund.errorCode, "amount_too_large", "refunds are bounded by what was captured")
        }
    }

    func testCancel() async throws {
        try await withEachDatabase { hub in
            let authorised = try await hub.pay(capture: "manual")
            let canceled = try await hub.request(
                .POST, "/v1/payment_intents/\(authorised.id)/cancel", json: ["cancellation_reason": "abandoned"])
            XCTAssertEqual(canceled["status"] as? String, "canceled", canceled.text)
            XCTAssertEqual(canceled["cancellation_reason"] as? String, "abandoned")
            let twice = try await hub.request(.POST, "/v1/payment_intents/\(authorised.id)/cancel")
            XCTAssertEqual(twice.status, .conflict)
            let paid = try await hub.pay()
            let late = try await hub.request(.POST, "/v1/payment_intents/\(paid.id)/cancel")
            XCTAssertEqual(late.errorCode, "payment_intent_unexpected_state")
        }
    }

    func testRefundsSettleAsynchronouslyAndCanFail() async throws {
        try await withEachDatabase { hub in
            let paid = try await hub.pay(amount: 1000)
            let first = try await hub.request(.POST, "/v1/refunds", json: ["payment_intent": paid.id, "amount": 300, "reason": "requested_by_customer"])
            XCTAssertEqual(first.status, .created, first.text)
            XCTAssertEqual(first["status"] as? String, "pending")
            let rest = try await hub.request(.POST, "/v1/refunds", json: ["payment_intent": paid.id])
            XCTAssertEqual(rest["amount"] as? Int, 700)
            let none = try await hub.request(.POST, "/v1/refunds", json: ["payment_intent": paid.id, "amount": 1])
            XCTAssertEqual(none.errorCode, "charge_already_refunded")
            hub.clock.advance(3)
            do { let ran = try await hub.simulator.runOnce(); XCTAssertEqual(ran, 2) }
            let settled = try await hub.request(.GET, "/v1/refunds/\(first.id)")
            XCTAssertEqual(settled["status"] as? String, "succeeded")
            let intent = try await hub.request(.GET, "/v1/payment_intents/\(paid.id)")
            XCTAssertEqual(intent["amount_refunded"] as? Int, 1000)

            let failing = try await hub.pay(amount: 800, token: "tok_refund_fails")
            let refund = try await hub.request(.POST, "/v1/refunds", json: ["payment_intent": failing.id, "amount": 800])
            hub.clock.advance(3)
            try await hub.simulator.runOnce()
            let failed = try await hub.request(.GET, "/v1/refunds/\(refund.id)")
            XCTAssertEqual(failed["status"] as? String, "failed")
            let freed = try await hub.request(.POST, "/v1/refunds", json: ["payment_intent": failing.id, "amount": 800])
            XCTAssertEqual(freed.status, .created, "a failed refund frees its amount")

            let list = try await hub.request(.GET, "/v1/refunds?payment_intent=\(failing.id)")
            XCTAssertEqual((list["data"] as? [Any])?.count, 2)
            let types = try await hub.request(.GET, "/v1/events?type=refund.failed")
            XCTAssertEqual((types["data"] as? [Any])?.count, 1)
        }
    }

    func testStatusPollerResolvesStuckAttempts() async throws {
        try await withEachDatabase(environment: ["PAYHUB_STATUS_CHECK_AGE": "60"]) { hub in
            let attempt = try await hub.pay(token: "tok_processing")
            do { let ran = try await hub.poller.runOnce(); XCTAssertEqual(ran, 0, "too young to check") }
            hub.clock.advance(61)
            do { let ran = try await hub.poller.runOnce(); XCTAssertEqual(ran, 1) }
            let done = try await hub.request(.GET, "/v1/payment_intents/\(attempt.id)")
            XCTAssertEqual(done["status"] as? String, "succeeded")

            let other = try await hub.pay(token: "tok_processing")
            hub.clock.advance(5)
            let synced = try await hub.request(.POST, "/v1/payment_intents/\(other.id)/sync")
            XCTAssertEqual(synced["status"] as? String, "succeeded", synced.text)
        }
    }

    func testListsPaginateNewestFirst() async throws {
        try await withEachDatabase { hub in
            var ids: [String] = []
            for amount in 1...5 {
                hub.clock.advance(1)
                ids.append(try await hub.request(.POST, "/v1/payment_intents", json: ["amount": amount * 100, "currency": "EUR"]).id)
            }
            let first = try await hub.request(.GET, "/v1/payment_intents?limit=2")
            let firstIDs = (first["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            XCTAssertEqual(firstIDs, [ids[4], ids[3]])
            XCTAssertEqual(first["has_more"] as? Bool, true)
            let next = try await hub.request(.GET, "/v1/payment_intents?limit=2&starting_after=\(ids[3])")
            XCTAssertEqual((next["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }, [ids[2], ids[1]])
            let back = try await hub.request(.GET, "/v1/payment_intents?limit=2&ending_before=\(ids[1])")
            XCTAssertEqual((back["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }, [ids[3], ids[2]])
            let filtered = try await hub.request(.GET, "/v1/payment_intents?status=succeeded")
            XCTAssertEqual((filtered["data"] as? [Any])?.count, 0)
            let bad = try await hub.request(.GET, "/v1/payment_intents?limit=500")
            XCTAssertEqual(bad.errorParam, "limit")
        }
    }
}
