import Foundation
import PayHubCore
@testable import PayHubServer
import XCTVapor

final class CheckoutSessionTests: XCTestCase {
    private let start: Int64 = 1_800_000_000

    private func createSession(_ hub: TestHub, _ body: [String: Any] = ["amount": 1250, "currency": "EUR"]) async throws -> TestHub.Reply {
        let reply = try await hub.request(.POST, "/v1/checkout_sessions", json: body)
        XCTAssertEqual(reply.status, .created, reply.text)
        return reply
    }

    private func pay(_ hub: TestHub, _ session: TestHub.Reply, token: String = "tok_visa") async throws -> TestHub.Reply {
        let intent = try XCTUnwrap(session["payment_intent"] as? String)
        return try await hub.request(.POST, "/v1/payment_intents/\(intent)/payments", json: ["payment_method": ["type": "card", "token": token]])
    }

    func testCreateWithAnAmountOwnsOneIntentLikeAnAPIOne() async throws {
        try await withEachDatabase { hub in
            let session = try await createSession(hub, [
                "amount": 1250, "currency": "eur", "success_url": "https://shop.example/ok", "cancel_url": "https://shop.example/cart",
                "customer_reference": "cust-1", "purchase_reference": "order-1", "metadata": ["order": "42"],
            ])
            XCTAssertTrue(session.id.hasPrefix("cs_"))
            XCTAssertEqual(session.id.count, 27, "24 random base-62 characters")
            XCTAssertEqual(session["object"] as? String, "checkout_session")
            XCTAssertEqual(session["status"] as? String, "open")
            XCTAssertEqual(session["url"] as? String, "http://payhub.test/checkout/\(session.id)")
            XCTAssertEqual(session["amount_total"] as? Int, 1250)
            XCTAssertEqual(session["amount_tax"] as? Int, 0)
            XCTAssertEqual(session["currency"] as? String, "EUR")
            XCTAssertEqual((session["line_items"] as? [Any])?.count, 0)
            XCTAssertEqual(session["locale"] as? String, "auto")
            XCTAssertEqual(session["expires_at"] as? Int, Int(start) + 86_400)
            XCTAssertEqual(session["success_url"] as? String, "https://shop.example/ok")
            XCTAssertTrue(session.json.keys.contains("completed_at"))

            let intentID = try XCTUnwrap(session["payment_intent"] as? String)
            XCTAssertTrue(intentID.hasPrefix("pi_"))
            let intent = try await hub.request(.GET, "/v1/payment_intents/\(intentID)")
            XCTAssertEqual(intent["status"] as? String, "requires_payment_method")
            XCTAssertEqual(intent["amount"] as? Int, 1250)
            XCTAssertEqual(intent["currency"] as? String, "EUR")
            XCTAssertEqual(intent["customer_reference"] as? String, "cust-1")
            XCTAssertEqual(intent["capture_method"] as? String, "automatic")
            let created = try await hub.storedEvents(objectID: intentID)
            XCTAssertEqual(created.map(\.type), ["payment_intent.created"])
        }
    }

    func testCreateWithLineItemsWorksOutTotalsAndTaxPerLine() async throws {
        try await withEachDatabase { hub in
            let session = try await createSession(hub, [
                "currency": "EUR", "capture_method": "manual", "locale": "it", "expires_at": start + 3600,
                "line_items": [
                    ["name": "Book", "quantity": 2, "unit_amount": 1250, "tax_rate": 400, "category": "books"],
                    ["name": "Pen", "quantity": 3, "unit_amount": 199, "tax_rate": 2200],
                    ["name": "Sticker", "quantity": 1, "unit_amount": 50],
                ],
                "customer": ["name": "Ada", "email": "ada@example.com", "phone": "+39 333 1234567", "locale": "it-IT"],
                "user_type": "business", "channel": "web", "country": "IT",
            ])
            let lines = try XCTUnwrap(session["line_items"] as? [[String: Any]])
            XCTAssertEqual(lines.compactMap { $0["amount_tax"] as? Int }, [100, 131, 0], "597 × 22 % = 131.34, rounded half up per line")
            XCTAssertEqual(lines.compactMap { $0["amount_total"] as? Int }, [2600, 728, 50])
            XCTAssertEqual(lines.first?["category"] as? String, "books")
            XCTAssertTrue(lines.last?.keys.contains("tax_rate") ?? false)
            XCTAssertEqual(session["amount_subtotal"] as? Int, 3147)
            XCTAssertEqual(session["amount_tax"] as? Int, 231)
            XCTAssertEqual(session["amount_total"] as? Int, 3378)
            XCTAssertEqual(session["expires_at"] as? Int, Int(start) + 3600)
            XCTAssertEqual(session["user_type"] as? String, "business")
            XCTAssertEqual(session["channel"] as? String, "web")
            XCTAssertEqual(session["country"] as? String, "IT")
            XCTAssertEqual(session["locale"] as? String, "it")
            XCTAssertEqual((session["customer"] as? [String: Any])?["email"] as? String, "ada@example.com")

            let intent = try await hub.request(.GET, "/v1/payment_intents/\(session["payment_intent"] as? String ?? "")")
            XCTAssertEqual(intent["amount"] as? Int, 3378)
            XCTAssertEqual(intent["capture_method"] as? String, "manual")
            let retrieved = try await hub.request(.GET, "/v1/checkout_sessions/\(session.id)")
            XCTAssertEqual(retrieved.json as NSDictionary, session.json as NSDictionary, "what is stored is what was answered")
        }
    }

    func testInvalidRequestsAreRefusedNamingTheParameterAndCreateNothing() async throws {
        try await withEachDatabase { hub in
            let now = start
            let item = #"{"name": "Book", "quantity": 1, "unit_amount": 100}"#
            let cases: [(String, String, String?)] = [
                (#"{"amount": 100, "currency": "EUR", "line_items": [\#(item)]}"#, "parameters_exclusive", "line_items"),
                (#"{"currency": "EUR"}"#, "parameter_missing", "amount"),
                (#"{"amount": 100}"#, "parameter_missing", "currency"),
                (#"{"amount": 100, "currency": "ZZZ"}"#, "currency_invalid", "currency"),
                (#"{"line_items": [\#(item)], "currency": "ZZZ"}"#, "currency_invalid", "currency"),
                (#"{"amount": 0, "currency": "EUR"}"#, "amount_invalid", "amount"),
                (#"{"amount": 100, "currency": "EUR", "expires_at": \#(now + 1799)}"#, "expires_at_invalid", "expires_at"),
                (#"{"amount": 100, "currency": "EUR", "expires_at": \#(now + 7 * 86_400 + 1)}"#, "expires_at_invalid", "expires_at"),
                (#"{"amount": 100, "currency": "EUR", "expires_at": "tomorrow"}"#, "parameter_invalid_type", "expires_at"),
                (#"{"currency": "EUR", "line_items": []}"#, "parameter_invalid", "line_items"),
                (#"{"currency": "EUR", "line_items": {"name": "x"}}"#, "parameter_invalid_type", "line_items"),
                (#"{"currency": "EUR", "line_items": [{"name": "x", "quantity": 0, "unit_amount": 1}]}"#, "parameter_invalid", "line_items.0.quantity"),
                (#"{"currency": "EUR", "line_items": [\#(item), {"quantity": 1, "unit_amount": 1}]}"#, "parameter_missing", "line_items.1.name"),
                (#"{"currency": "EUR", "line_items": [{"name": "x", "quantity": 1, "unit_amount": 1.5}]}"#, "parameter_invalid", "line_items.0.unit_amount"),
                (#"{"currency": "EUR", "line_items": [{"name": "x", "quantity": 1, "unit_amount": 1, "tax_rate": 10001}]}"#, "parameter_invalid", "line_items.0.tax_rate"),
                (#"{"currency": "EUR", "line_items": [{"name": "x", "quantity": 1, "unit_amount": 1, "colour": "red"}]}"#, "parameter_unknown", "line_items.0.colour"),
                (#"{"currency": "EUR", "line_items": [{"name": "x", "quantity": 1, "unit_amount": 0}]}"#, "amount_invalid", "line_items"),
                (#"{"amount": 100, "currency": "EUR", "channel": "tv"}"#, "parameter_invalid", "channel"),
                (#"{"amount": 100, "currency": "EUR", "country": "it"}"#, "parameter_invalid", "country"),
                (#"{"amount": 100, "currency": "EUR", "user_type": "a b"}"#, "parameter_invalid", "user_type"),
                (#"{"amount": 100, "currency": "EUR", "locale": "\#(String(repeating: "it-", count: 20))it"}"#, "locale_invalid", "locale"),
                (#"{"amount": 100, "currency": "EUR", "success_url": "javascript:alert(1)"}"#, "url_invalid", "success_url"),
                (#"{"amount": 100, "currency": "EUR", "capture_method": "later"}"#, "parameter_invalid", "capture_method"),
                (#"{"amount": 100, "currency": "EUR", "customer": {"email": "nope"}}"#, "email_invalid", "customer.email"),
            ]
            for (body, code, param) in cases {
                let reply = try await hub.request(.POST, "/v1/checkout_sessions", raw: body)
                XCTAssertEqual(reply.status, .badRequest, body)
                XCTAssertEqual(reply.errorCode, code, "\(body): \(reply.text)")
                XCTAssertEqual(reply.errorParam, param, body)
            }
            let sessions = try await hub.request(.GET, "/v1/checkout_sessions")
            XCTAssertEqual((sessions["data"] as? [Any])?.count, 0)
            let intents = try await hub.request(.GET, "/v1/payment_intents")
            XCTAssertEqual((intents["data"] as? [Any])?.count, 0, "a refused session creates no intent")
        }
    }

    func testHostileCustomerNameIsStoredAsText() async throws {
        try await withEachDatabase { hub in
            let hostile = #"<script>alert("x")</script> O'Brien & Co"#
            let session = try await createSession(hub, ["amount": 100, "currency": "EUR", "customer": ["name": hostile]])
            let retrieved = try await hub.request(.GET, "/v1/checkout_sessions/\(session.id)")
            XCTAssertEqual((retrieved["customer"] as? [String: Any])?["name"] as? String, hostile)
        }
    }

    func testRetrieveListAndFilters() async throws {
        try await withEachDatabase { hub in
            let first = try await createSession(hub)
            hub.clock.advance(1)
            let second = try await createSession(hub)
            hub.clock.advance(1)
            let third = try await createSession(hub)
            _ = try await pay(hub, second)

            let page = try await hub.request(.GET, "/v1/checkout_sessions?limit=2")
            XCTAssertEqual((page["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String }, [third.id, second.id])
            XCTAssertEqual(page["has_more"] as? Bool, true)
            XCTAssertEqual(page["url"] as? String, "/v1/checkout_sessions")
            let next = try await hub.request(.GET, "/v1/checkout_sessions?limit=2&starting_after=\(second.id)")
            XCTAssertEqual((next["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String }, [first.id])
            let complete = try await hub.request(.GET, "/v1/checkout_sessions?status=complete")
            XCTAssertEqual((complete["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String }, [second.id])
            let open = try await hub.request(.GET, "/v1/checkout_sessions?status=open&created[gte]=\(start + 2)")
            XCTAssertEqual((open["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String }, [third.id])
            let byIntent = try await hub.request(.GET, "/v1/checkout_sessions?payment_intent=\(first["payment_intent"] as? String ?? "")")
            XCTAssertEqual((byIntent["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String }, [first.id])

            let badStatus = try await hub.request(.GET, "/v1/checkout_sessions?status=paid")
            XCTAssertEqual(badStatus.errorParam, "status")
            let badIntent = try await hub.request(.GET, "/v1/checkout_sessions?payment_intent=cs_nope")
            XCTAssertEqual(badIntent.errorParam, "payment_intent")
            let unknown = try await hub.request(.GET, "/v1/checkout_sessions?colour=red")
            XCTAssertEqual(unknown.errorCode, "parameter_unknown")
            for missing in ["cs_doesnotexist000000000000", "pi_notasession", "x"] {
                let reply = try await hub.request(.GET, "/v1/checkout_sessions/\(missing)")
                XCTAssertEqual(reply.status, .notFound, missing)
                XCTAssertEqual(reply.errorCode, "resource_missing")
            }
        }
    }

    func testExpireCancelsTheIntentOnceAndTheCustomerCannotPayAfter() async throws {
        try await withEachDatabase { hub in
            let session = try await createSession(hub)
            hub.clock.advance(60)
            let expired = try await hub.request(.POST, "/v1/checkout_sessions/\(session.id)/expire")
            XCTAssertEqual(expired.status, .ok, expired.text)
            XCTAssertEqual(expired["status"] as? String, "expired")
            XCTAssertEqual(expired["expired_at"] as? Int, Int(start) + 60)
            let intentID = session["payment_intent"] as? String ?? ""
            let intent = try await hub.request(.GET, "/v1/payment_intents/\(intentID)")
            XCTAssertEqual(intent["status"] as? String, "canceled")
            XCTAssertEqual(intent["cancellation_reason"] as? String, "expired")

            let again = try await hub.request(.POST, "/v1/checkout_sessions/\(session.id)/expire")
            XCTAssertEqual(again.status, .ok)
            XCTAssertEqual(again["status"] as? String, "expired")
            let events = try await hub.storedEvents(objectID: session.id)
            XCTAssertEqual(events.map(\.type), ["checkout.session.expired"], "recorded once")
            XCTAssertTrue(events.first?.data.contains(#""status":"expired""#) ?? false)
            let intentEvents = try await hub.storedEvents(objectID: intentID).map(\.type)
            XCTAssertEqual(intentEvents, ["payment_intent.created", "payment_intent.canceled"])

            let paid = try await pay(hub, session)
            XCTAssertEqual(paid.status, .conflict, "an expired session cannot be paid")
            let still = try await hub.request(.GET, "/v1/checkout_sessions/\(session.id)")
            XCTAssertEqual(still["status"] as? String, "expired")
        }
    }

    func testConcurrentExpiriesExpireOnce() async throws {
        try await withEachDatabase { hub in
            let session = try await createSession(hub)
            async let first = hub.request(.POST, "/v1/checkout_sessions/\(session.id)/expire")
            async let second = hub.request(.POST, "/v1/checkout_sessions/\(session.id)/expire")
            let replies = try await [first, second]
            XCTAssertEqual(replies.map(\.status), [.ok, .ok], replies.map(\.text).joined(separator: "\n"))
            XCTAssertEqual(replies.compactMap { $0["status"] as? String }, ["expired", "expired"])
            let events = try await hub.storedEvents(objectID: session.id)
            XCTAssertEqual(events.map(\.type), ["checkout.session.expired"])
        }
    }

    func testPayingTheIntentCompletesTheSessionWithItsEventInTheSameTransaction() async throws {
        try await withEachDatabase { hub in
            let endpoint = try await hub.request(
                .POST, "/v1/webhook_endpoints", json: ["url": "http://127.0.0.1:9/hook", "enabled_events": ["checkout.session.*"]])
            XCTAssertEqual(endpoint.status, .created, endpoint.text)
            let session = try await createSession(hub)
            hub.clock.advance(5)
            let paid = try await pay(hub, session)
            XCTAssertEqual(paid["status"] as? String, "succeeded", paid.text)

            let complete = try await hub.request(.GET, "/v1/checkout_sessions/\(session.id)")
            XCTAssertEqual(complete["status"] as? String, "complete")
            XCTAssertEqual(complete["completed_at"] as? Int, Int(start) + 5)
            let events = try await hub.storedEvents(objectID: session.id)
            XCTAssertEqual(events.map(\.type), ["checkout.session.completed"])
            let data = try XCTUnwrap(events.first?.data)
            XCTAssertTrue(data.contains(#""object":"checkout_session""#) && data.contains(#""status":"complete""#), data)
            let deliveries = try await hub.storedDeliveries(endpoint: endpoint.id).count
            XCTAssertEqual(deliveries, 1, "only the session's event reaches this endpoint")

            let expire = try await hub.request(.POST, "/v1/checkout_sessions/\(session.id)/expire")
            XCTAssertEqual(expire.status, .conflict)
            XCTAssertEqual(expire.errorCode, "checkout_session_complete")
            let retried = try await pay(hub, session)
            XCTAssertEqual(retried.status, .conflict, "a completed session cannot be paid again")
            let sessionEvents = try await hub.storedEvents(objectID: session.id).count
            XCTAssertEqual(sessionEvents, 1)
        }
    }

    func testDeclineThenSuccessCompletesOnce() async throws {
        try await withEachDatabase { hub in
            let session = try await createSession(hub)
            let declined = try await pay(hub, session, token: "tok_declined")
            XCTAssertEqual(declined.status, .paymentRequired)
            let open = try await hub.request(.GET, "/v1/checkout_sessions/\(session.id)")
            XCTAssertEqual(open["status"] as? String, "open", "a decline leaves the session open for another try")
            _ = try await pay(hub, session)
            let complete = try await hub.request(.GET, "/v1/checkout_sessions/\(session.id)")
            XCTAssertEqual(complete["status"] as? String, "complete")
        }
    }

    func testAProcessingPaymentBlocksExpiryAndCompletesThroughTheSandboxSettlement() async throws {
        try await withEachDatabase { hub in
            let session = try await createSession(hub, ["amount": 900, "currency": "EUR", "expires_at": start + 1800])
            let processing = try await pay(hub, session, token: "tok_processing")
            XCTAssertEqual(processing["status"] as? String, "processing", processing.text)
            let refused = try await hub.request(.POST, "/v1/checkout_sessions/\(session.id)/expire")
            XCTAssertEqual(refused.status, .conflict)
            XCTAssertEqual(refused.errorCode, "checkout_session_payment_processing")

            // Its time runs out while the provider decides: the job waits rather than cancel.
            hub.clock.advance(1801)
            _ = try await hub.scheduler.runDue([.checkoutSessionExpiry])
            let waiting = try await hub.request(.GET, "/v1/checkout_sessions/\(session.id)")
            XCTAssertEqual(waiting["status"] as? String, "open")

            try await hub.simulator.runOnce()
            let complete = try await hub.request(.GET, "/v1/checkout_sessions/\(session.id)")
            XCTAssertEqual(complete["status"] as? String, "complete", "the sandbox's settlement webhook completed it")
            hub.clock.advance(CheckoutSessionService.processingRecheck + 1)
            _ = try await hub.scheduler.runDue([.checkoutSessionExpiry])
            let after = try await hub.request(.GET, "/v1/checkout_sessions/\(session.id)")
            XCTAssertEqual(after["status"] as? String, "complete")
            let sessionEvents = try await hub.storedEvents(objectID: session.id).map(\.type)
            XCTAssertEqual(sessionEvents, ["checkout.session.completed"])
        }
    }

    func testTheExpiryJobExpiresTheSessionAtItsTimeOnce() async throws {
        try await withEachDatabase { hub in
            let session = try await createSession(hub, ["amount": 100, "currency": "EUR", "expires_at": start + 1800])
            let paidLater = try await createSession(hub, ["amount": 100, "currency": "EUR", "expires_at": start + 1800])
            _ = try await pay(hub, paidLater)
            let early = try await hub.scheduler.runDue([.checkoutSessionExpiry])
            XCTAssertEqual(early, 0, "nothing is due before expires_at")

            hub.clock.advance(1800)
            let ran = try await hub.scheduler.runDue([.checkoutSessionExpiry])
            XCTAssertEqual(ran, 2, "one job per session")
            let expired = try await hub.request(.GET, "/v1/checkout_sessions/\(session.id)")
            XCTAssertEqual(expired["status"] as? String, "expired")
            let intent = try await hub.request(.GET, "/v1/payment_intents/\(session["payment_intent"] as? String ?? "")")
            XCTAssertEqual(intent["status"] as? String, "canceled")
            let completed = try await hub.request(.GET, "/v1/checkout_sessions/\(paidLater.id)")
            XCTAssertEqual(completed["status"] as? String, "complete", "a paid session is left as it is")

            hub.clock.advance(3600)
            let laterRuns = try await hub.scheduler.runDue([.checkoutSessionExpiry])
            XCTAssertEqual(laterRuns, 0, "the jobs are done")
            // Run again by hand (a second process, a repeated run): nothing changes.
            let service = CheckoutSessionService(context: hub.context, db: hub.app.db, logger: hub.app.logger)
            let id = try CheckoutSessionID(parsing: session.id)
            let repeatedRun = try await service.expireOnTime(id)
            XCTAssertEqual(repeatedRun, .done)
            let expiredEvents = try await hub.storedEvents(objectID: session.id).map(\.type)
            XCTAssertEqual(expiredEvents, ["checkout.session.expired"])
            let completedEvents = try await hub.storedEvents(objectID: paidLater.id).map(\.type)
            XCTAssertEqual(completedEvents, ["checkout.session.completed"])
        }
    }

    func testCreateIsIdempotent() async throws {
        try await withEachDatabase { hub in
            let body: [String: Any] = ["amount": 100, "currency": "EUR"]
            let first = try await hub.request(.POST, "/v1/checkout_sessions", json: body, headers: [("Idempotency-Key", "order-77")])
            let second = try await hub.request(.POST, "/v1/checkout_sessions", json: body, headers: [("Idempotency-Key", "order-77")])
            XCTAssertEqual(first.status, .created)
            XCTAssertEqual(second.status, .created)
            XCTAssertEqual(second.id, first.id)
            XCTAssertEqual(second.headers.first(name: "Idempotent-Replayed"), "true")
            let other = try await hub.request(
                .POST, "/v1/checkout_sessions", json: ["amount": 200, "currency": "EUR"], headers: [("Idempotency-Key", "order-77")])
            XCTAssertEqual(other.errorCode, "idempotency_key_reused")
            let sessions = try await hub.request(.GET, "/v1/checkout_sessions")
            XCTAssertEqual((sessions["data"] as? [Any])?.count, 1)
            let intents = try await hub.request(.GET, "/v1/payment_intents")
            XCTAssertEqual((intents["data"] as? [Any])?.count, 1)
        }
    }

    func testOtherMerchantsModesAndClientTokensCannotReachASession() async throws {
        try await withEachDatabase { hub in
            let session = try await createSession(hub)
            let other = try await MerchantService(context: hub.context, db: hub.app.db).create(name: "Other Shop")
            for key in [other.secretKeyTest, hub.merchant.secretKeyLive] {
                let look = try await hub.request(.GET, "/v1/checkout_sessions/\(session.id)", key: key)
                XCTAssertEqual(look.status, .notFound)
                let expire = try await hub.request(.POST, "/v1/checkout_sessions/\(session.id)/expire", key: key)
                XCTAssertEqual(expire.status, .notFound)
                let list = try await hub.request(.GET, "/v1/checkout_sessions", key: key)
                XCTAssertEqual((list["data"] as? [Any])?.count, 0)
            }
            let intent = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 100, "currency": "EUR"])
            let token = try XCTUnwrap(intent["client_token"] as? String)
            let create = try await hub.request(.POST, "/v1/checkout_sessions", json: ["amount": 100, "currency": "EUR"], key: token)
            XCTAssertEqual(create.status, .forbidden)
            XCTAssertEqual(create.errorCode, "secret_key_required")
            for path in ["/v1/checkout_sessions", "/v1/checkout_sessions/\(session.id)"] {
                let reply = try await hub.request(.GET, path, key: token)
                XCTAssertEqual(reply.status, .forbidden, path)
            }
            let expire = try await hub.request(.POST, "/v1/checkout_sessions/\(session.id)/expire", key: token)
            XCTAssertEqual(expire.status, .forbidden)
            let still = try await hub.request(.GET, "/v1/checkout_sessions/\(session.id)")
            XCTAssertEqual(still["status"] as? String, "open")
        }
    }
}
