import Foundation
import PayHubCore
@testable import PayHubServer
import XCTVapor

final class PaymentLinkTests: XCTestCase {
    private let start: Int64 = 1_800_000_000

    private func createLink(_ hub: TestHub, _ body: [String: Any] = ["amount": 1250, "currency": "EUR"]) async throws -> TestHub.Reply {
        let reply = try await hub.request(.POST, "/v1/payment_links", json: body)
        XCTAssertEqual(reply.status, .created, reply.text)
        return reply
    }

    /// Follows the link as a browser does (no API key), with its cookie and language.
    private func open(_ hub: TestHub, _ id: String, cookie: String? = nil, language: String? = nil) async throws -> TestHub.Reply {
        var headers: [(String, String)] = []
        if let cookie { headers.append(("Cookie", "\(PaymentLinkPagesController.visitorCookie)=\(cookie)")) }
        if let language { headers.append(("Accept-Language", language)) }
        return try await hub.request(.GET, "/l/\(id)", key: "", headers: headers)
    }

    /// The checkout session a redirect leads to.
    private func session(of reply: TestHub.Reply, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        XCTAssertEqual(reply.status, .seeOther, reply.text, file: file, line: line)
        let location = try XCTUnwrap(reply.headers.first(name: .location), file: file, line: line)
        XCTAssertTrue(location.hasPrefix("/checkout/cs_"), location, file: file, line: line)
        return String(location.dropFirst("/checkout/".count))
    }

    private func visitorCookie(of reply: TestHub.Reply) -> String? {
        reply.headers.setCookie?[PaymentLinkPagesController.visitorCookie]?.string
    }

    private func pay(_ hub: TestHub, session id: String, token: String = "tok_visa") async throws -> TestHub.Reply {
        let session = try await hub.request(.GET, "/v1/checkout_sessions/\(id)")
        let intent = try XCTUnwrap(session["payment_intent"] as? String, session.text)
        return try await hub.request(.POST, "/v1/payment_intents/\(intent)/payments", json: ["payment_method": ["type": "card", "token": token]])
    }

    private func ids(_ list: TestHub.Reply) -> [String] {
        (list["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
    }

    // MARK: - API

    func testCreateWithAnAmountOrLineItems() async throws {
        try await withEachDatabase { hub in
            let link = try await createLink(hub, [
                "amount": 1250, "currency": "eur", "description": "Invoice 42", "metadata": ["invoice": "42"],
                "customer": ["name": "Ada", "email": "ada@example.com", "locale": "it"], "success_url": "https://shop.example/ok",
            ])
            XCTAssertTrue(link.id.hasPrefix("plink_"))
            XCTAssertEqual(link.id.count, 30, "24 random base-62 characters")
            XCTAssertEqual(link["object"] as? String, "payment_link")
            XCTAssertEqual(link["status"] as? String, "active")
            XCTAssertEqual(link["url"] as? String, "http://payhub.test/l/\(link.id)")
            XCTAssertEqual(link["amount_total"] as? Int, 1250)
            XCTAssertEqual(link["currency"] as? String, "EUR")
            XCTAssertEqual(link["reusable"] as? Bool, false)
            XCTAssertEqual(link["payments_count"] as? Int, 0)
            XCTAssertEqual(link["channel"] as? String, "link")
            XCTAssertEqual(link["expires_at"] as? Int, Int(start) + 7 * 86_400)
            for key in ["max_payments", "sent_at", "opened_at", "delivered_at", "reminder_sent_at", "completed_at", "checkout_session"] {
                XCTAssertTrue(link.json.keys.contains(key), key)
                XCTAssertTrue(link[key] is NSNull, key)
            }
            let retrieved = try await hub.request(.GET, "/v1/payment_links/\(link.id)")
            XCTAssertEqual(retrieved.json as NSDictionary, link.json as NSDictionary, "what is stored is what was answered")
            let events = try await hub.storedEvents(objectID: link.id)
            XCTAssertEqual(events.map(\.type), ["payment_link.created"])
            XCTAssertTrue(events.first?.data.contains(#""object":"payment_link""#) ?? false)

            let order = try await createLink(hub, [
                "currency": "EUR", "reusable": true, "max_payments": 3, "expires_at": start + 3600,
                "line_items": [["name": "Book", "quantity": 2, "unit_amount": 1250, "tax_rate": 400, "category": "books"]],
                "user_type": "business", "channel": "app", "country": "IT",
            ])
            XCTAssertEqual(order["amount_subtotal"] as? Int, 2500)
            XCTAssertEqual(order["amount_tax"] as? Int, 100)
            XCTAssertEqual(order["amount_total"] as? Int, 2600)
            XCTAssertEqual((order["line_items"] as? [[String: Any]])?.first?["category"] as? String, "books")
            XCTAssertEqual(order["max_payments"] as? Int, 3)
            XCTAssertEqual(order["reusable"] as? Bool, true)
            XCTAssertEqual(order["channel"] as? String, "app")
            XCTAssertEqual(order["expires_at"] as? Int, Int(start) + 3600)
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
                (#"{"amount": 0, "currency": "EUR"}"#, "amount_invalid", "amount"),
                (#"{"currency": "EUR", "line_items": [{"name": "x", "quantity": 0, "unit_amount": 1}]}"#, "parameter_invalid", "line_items.0.quantity"),
                (#"{"currency": "EUR", "line_items": [{"name": "x", "quantity": 1, "unit_amount": 1, "colour": "red"}]}"#, "parameter_unknown", "line_items.0.colour"),
                (#"{"amount": 100, "currency": "EUR", "max_payments": 2}"#, "parameter_invalid", "max_payments"),
                (#"{"amount": 100, "currency": "EUR", "reusable": true, "max_payments": 0}"#, "parameter_invalid", "max_payments"),
                (#"{"amount": 100, "currency": "EUR", "reusable": "yes"}"#, "parameter_invalid_type", "reusable"),
                (#"{"amount": 100, "currency": "EUR", "expires_at": \#(now + 1799)}"#, "expires_at_invalid", "expires_at"),
                (#"{"amount": 100, "currency": "EUR", "expires_at": \#(now + 30 * 86_400 + 1)}"#, "expires_at_invalid", "expires_at"),
                (#"{"amount": 100, "currency": "EUR", "send": "fax"}"#, "parameter_invalid", "send"),
                (#"{"amount": 100, "currency": "EUR", "send": "email", "customer": {"phone": "+39 333 1234567"}}"#, "parameter_missing", "customer.email"),
                (#"{"amount": 100, "currency": "EUR", "send": "sms", "customer": {"email": "ada@example.com"}}"#, "parameter_missing", "customer.phone"),
                (#"{"amount": 100, "currency": "EUR", "customer": {"email": "nope"}}"#, "email_invalid", "customer.email"),
                (#"{"amount": 100, "currency": "EUR", "channel": "tv"}"#, "parameter_invalid", "channel"),
                (#"{"amount": 100, "currency": "EUR", "country": "it"}"#, "parameter_invalid", "country"),
                (#"{"amount": 100, "currency": "EUR", "success_url": "javascript:alert(1)"}"#, "url_invalid", "success_url"),
                (#"{"amount": 100, "currency": "EUR", "description": "\#(String(repeating: "x", count: 1001))"}"#, "parameter_invalid", "description"),
                (#"{"amount": 100, "currency": "EUR", "cancel_url": "https://shop.example"}"#, "parameter_unknown", "cancel_url"),
            ]
            for (body, code, param) in cases {
                let reply = try await hub.request(.POST, "/v1/payment_links", raw: body)
                XCTAssertEqual(reply.status, .badRequest, body)
                XCTAssertEqual(reply.errorCode, code, "\(body): \(reply.text)")
                XCTAssertEqual(reply.errorParam, param, body)
            }
            let links = try await hub.request(.GET, "/v1/payment_links")
            XCTAssertEqual(ids(links), [])
            let events = try await hub.storedEvents()
            XCTAssertEqual(events.count, 0)
        }
    }

    func testCreateIsIdempotent() async throws {
        try await withEachDatabase { hub in
            let body: [String: Any] = ["amount": 100, "currency": "EUR"]
            let first = try await hub.request(.POST, "/v1/payment_links", json: body, headers: [("Idempotency-Key", "link-77")])
            let second = try await hub.request(.POST, "/v1/payment_links", json: body, headers: [("Idempotency-Key", "link-77")])
            XCTAssertEqual(first.status, .created)
            XCTAssertEqual(second.id, first.id)
            XCTAssertEqual(second.headers.first(name: "Idempotent-Replayed"), "true")
            let other = try await hub.request(
                .POST, "/v1/payment_links", json: ["amount": 200, "currency": "EUR"], headers: [("Idempotency-Key", "link-77")])
            XCTAssertEqual(other.errorCode, "idempotency_key_reused")
            let links = try await hub.request(.GET, "/v1/payment_links")
            XCTAssertEqual(ids(links), [first.id])
        }
    }

    func testRetrieveListFiltersAndOtherTenantsSeeNothing() async throws {
        try await withEachDatabase { hub in
            let first = try await createLink(hub)
            hub.clock.advance(1)
            let second = try await createLink(hub)
            hub.clock.advance(1)
            let third = try await createLink(hub)
            let deactivated = try await hub.request(.POST, "/v1/payment_links/\(second.id)/deactivate")
            XCTAssertEqual(deactivated.status, .ok, deactivated.text)

            let page = try await hub.request(.GET, "/v1/payment_links?limit=2")
            XCTAssertEqual(ids(page), [third.id, second.id])
            XCTAssertEqual(page["has_more"] as? Bool, true)
            XCTAssertEqual(page["url"] as? String, "/v1/payment_links")
            let next = try await hub.request(.GET, "/v1/payment_links?limit=2&starting_after=\(second.id)")
            XCTAssertEqual(ids(next), [first.id])
            let active = try await hub.request(.GET, "/v1/payment_links?status=active")
            XCTAssertEqual(ids(active), [third.id, first.id])
            let ended = try await hub.request(.GET, "/v1/payment_links?status=deactivated")
            XCTAssertEqual(ids(ended), [second.id])
            let bad = try await hub.request(.GET, "/v1/payment_links?status=open")
            XCTAssertEqual(bad.errorParam, "status")
            for missing in ["plink_doesnotexist000000000000", "cs_notalink", "x"] {
                let reply = try await hub.request(.GET, "/v1/payment_links/\(missing)")
                XCTAssertEqual(reply.status, .notFound, missing)
                XCTAssertEqual(reply.errorCode, "resource_missing")
            }

            let other = try await MerchantService(context: hub.context, db: hub.app.db).create(name: "Other Shop")
            for key in [other.secretKeyTest, hub.merchant.secretKeyLive] {
                let look = try await hub.request(.GET, "/v1/payment_links/\(first.id)", key: key)
                XCTAssertEqual(look.status, .notFound)
                let deactivate = try await hub.request(.POST, "/v1/payment_links/\(first.id)/deactivate", key: key)
                XCTAssertEqual(deactivate.status, .notFound)
                let send = try await hub.request(.POST, "/v1/payment_links/\(first.id)/send", key: key)
                XCTAssertEqual(send.status, .notFound)
                let list = try await hub.request(.GET, "/v1/payment_links", key: key)
                XCTAssertEqual(ids(list), [])
            }
            let intent = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 100, "currency": "EUR"])
            let token = try XCTUnwrap(intent["client_token"] as? String)
            let create = try await hub.request(.POST, "/v1/payment_links", json: ["amount": 100, "currency": "EUR"], key: token)
            XCTAssertEqual(create.errorCode, "secret_key_required")
            let look = try await hub.request(.GET, "/v1/payment_links/\(first.id)", key: token)
            XCTAssertEqual(look.status, .forbidden)
            let still = try await hub.request(.GET, "/v1/payment_links/\(first.id)")
            XCTAssertEqual(still["status"] as? String, "active")

            // The page knows no tenant: an id that names no link is a 404 page, whoever asks.
            for missing in ["plink_doesnotexist000000000000", "cs_notalink", "%3Cscript%3E"] {
                let page = try await open(hub, missing)
                XCTAssertEqual(page.status, .notFound, missing)
                XCTAssertEqual(page.headers.contentType, .html)
                XCTAssertTrue(page.text.contains("This payment link does not exist"), page.text)
                XCTAssertFalse(page.text.contains("<script>"))
                XCTAssertNotNil(page.headers.first(name: "Content-Security-Policy"))
            }
        }
    }

    // MARK: - Opening and paying

    func testOpeningStartsOneSessionResumedUntilPaidThenShowsAlreadyPaid() async throws {
        try await withEachDatabase { hub in
            let link = try await createLink(hub, [
                "currency": "EUR", "description": "Invoice 42", "metadata": ["invoice": "42"], "user_type": "business", "country": "IT",
                "line_items": [["name": "Book", "quantity": 2, "unit_amount": 1250, "tax_rate": 400]],
                "customer": ["name": "Ada", "email": "ada@example.com"], "success_url": "https://shop.example/ok",
            ])
            hub.clock.advance(10)
            let first = try await open(hub, link.id)
            let sessionID = try session(of: first)
            XCTAssertNil(visitorCookie(of: first), "a single-use link needs no cookie")
            XCTAssertEqual(first.headers.first(name: .cacheControl), "no-store")
            let session = try await hub.request(.GET, "/v1/checkout_sessions/\(sessionID)")
            XCTAssertEqual(session["status"] as? String, "open")
            XCTAssertEqual(session["amount_total"] as? Int, 2600)
            XCTAssertEqual(session["amount_tax"] as? Int, 100)
            XCTAssertEqual(session["channel"] as? String, "link")
            XCTAssertEqual(session["user_type"] as? String, "business")
            XCTAssertEqual(session["country"] as? String, "IT")
            XCTAssertEqual(session["success_url"] as? String, "https://shop.example/ok")
            XCTAssertEqual(session["metadata"] as? [String: String], ["invoice": "42"])
            XCTAssertEqual((session["customer"] as? [String: Any])?["email"] as? String, "ada@example.com")
            XCTAssertEqual(session["expires_at"] as? Int, Int(start) + 10 + 86_400, "a session's usual day")
            let opened = try await hub.request(.GET, "/v1/payment_links/\(link.id)")
            XCTAssertEqual(opened["opened_at"] as? Int, Int(start) + 10)

            hub.clock.advance(10)
            let again = try await open(hub, link.id)
            XCTAssertEqual(try self.session(of: again), sessionID, "the same session, hence the same intent")
            let stillOpened = try await hub.request(.GET, "/v1/payment_links/\(link.id)")
            XCTAssertEqual(stillOpened["opened_at"] as? Int, Int(start) + 10, "the first opening is the one recorded")

            let declined = try await pay(hub, session: sessionID, token: "tok_declined")
            XCTAssertEqual(declined.status, .paymentRequired)
            let afterDecline = try await open(hub, link.id)
            XCTAssertEqual(try self.session(of: afterDecline), sessionID, "a decline leaves the same session to try again")
            let paid = try await pay(hub, session: sessionID)
            XCTAssertEqual(paid["status"] as? String, "succeeded", paid.text)

            let completed = try await hub.request(.GET, "/v1/payment_links/\(link.id)")
            XCTAssertEqual(completed["status"] as? String, "completed")
            XCTAssertEqual(completed["payments_count"] as? Int, 1)
            XCTAssertEqual(completed["completed_at"] as? Int, Int(start) + 20)
            let events = try await hub.storedEvents(objectID: link.id)
            XCTAssertEqual(events.map(\.type), ["payment_link.created", "payment_link.opened", "payment_link.paid"])
            XCTAssertTrue(events.last?.data.contains(#""status":"completed""#) ?? false)
            let sessions = try await hub.request(.GET, "/v1/checkout_sessions")
            XCTAssertEqual(ids(sessions), [sessionID], "one session for the link")

            let paidPage = try await open(hub, link.id)
            XCTAssertEqual(paidPage.status, .ok)
            XCTAssertEqual(paidPage.headers.contentType, .html)
            XCTAssertTrue(paidPage.text.contains("Already paid"), paidPage.text)
            XCTAssertTrue(paidPage.text.contains("This payment link has already been paid."))
            XCTAssertTrue(paidPage.text.contains("Invoice 42"))
            XCTAssertTrue(paidPage.text.contains("€26.00"), paidPage.text)
            let csp = try XCTUnwrap(paidPage.headers.first(name: "Content-Security-Policy"))
            XCTAssertTrue(csp.contains("script-src 'none'") && csp.contains("frame-ancestors 'none'"), csp)
            let nonce = try XCTUnwrap(csp.firstMatch(of: /style-src 'nonce-([^']+)'/).map { String($0.1) })
            XCTAssertTrue(paidPage.text.contains(#"<style nonce="\#(nonce)">"#))
            let after = try await hub.storedEvents(objectID: link.id)
            XCTAssertEqual(after.count, 3, "opening a paid link changes nothing")
        }
    }

    func testASessionThatExpiredIsReplacedByANewOneAndItsIntentCanceled() async throws {
        try await withEachDatabase { hub in
            let link = try await createLink(hub)
            let first = try session(of: try await open(hub, link.id))
            // A day later the session's time is up, before its expiry job has run.
            hub.clock.advance(86_400 + 1)
            let second = try session(of: try await open(hub, link.id))
            XCTAssertNotEqual(second, first)
            let old = try await hub.request(.GET, "/v1/checkout_sessions/\(first)")
            XCTAssertEqual(old["status"] as? String, "expired")
            let oldIntent = try await hub.request(.GET, "/v1/payment_intents/\(old["payment_intent"] as? String ?? "")")
            XCTAssertEqual(oldIntent["status"] as? String, "canceled", "the old intent can no longer be paid")
            let third = try session(of: try await open(hub, link.id))
            XCTAssertEqual(third, second)

            // The last session lasts until the link ends.
            hub.clock.advance(5 * 86_400)
            let last = try session(of: try await open(hub, link.id))
            let lastSession = try await hub.request(.GET, "/v1/checkout_sessions/\(last)")
            XCTAssertEqual(lastSession["expires_at"] as? Int, Int(start) + 7 * 86_400)
        }
    }

    func testConcurrentOpensOfASingleUseLinkShareOneSession() async throws {
        try await withEachDatabase { hub in
            let link = try await createLink(hub)
            let replies = try await withThrowingTaskGroup(of: TestHub.Reply.self) { group in
                let path = "/l/\(link.id)"
                for _ in 0..<8 { group.addTask { try await hub.request(.GET, path, key: "") } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let sessions = try Set(replies.map { try session(of: $0) })
            XCTAssertEqual(sessions.count, 1, "every customer pays the same session")
            let stored = try await hub.request(.GET, "/v1/checkout_sessions")
            XCTAssertEqual(ids(stored).count, 1)
            let opened = try await hub.storedEvents(objectID: link.id, type: "payment_link.opened")
            XCTAssertEqual(opened.count, 1)

            // Both pay at once: the intent is paid once.
            let shared = try await hub.request(.GET, "/v1/checkout_sessions/\(try XCTUnwrap(sessions.first))")
            let payments = "/v1/payment_intents/\(try XCTUnwrap(shared["payment_intent"] as? String))/payments"
            let card = #"{"payment_method": {"type": "card", "token": "tok_visa"}}"#
            async let one = hub.request(.POST, payments, raw: card)
            async let two = hub.request(.POST, payments, raw: card)
            let paid = try await [one, two].filter { $0["status"] as? String == "succeeded" }
            XCTAssertEqual(paid.count, 1)
            let completed = try await hub.request(.GET, "/v1/payment_links/\(link.id)")
            XCTAssertEqual(completed["payments_count"] as? Int, 1)
            XCTAssertEqual(completed["status"] as? String, "completed")
        }
    }

    func testAReusableLinkTakesPaymentsUpToItsMaximum() async throws {
        try await withEachDatabase { hub in
            let link = try await createLink(hub, ["amount": 500, "currency": "EUR", "reusable": true, "max_payments": 2])
            let firstOpen = try await open(hub, link.id)
            let first = try session(of: firstOpen)
            let cookie = try XCTUnwrap(visitorCookie(of: firstOpen))
            XCTAssertEqual(cookie, first)
            XCTAssertEqual(firstOpen.headers.setCookie?[PaymentLinkPagesController.visitorCookie]?.path, "/l/\(link.id)")
            let resumed = try session(of: try await open(hub, link.id, cookie: cookie))
            XCTAssertEqual(resumed, first, "the visitor's own session is resumed")
            let stranger = try session(of: try await open(hub, link.id))
            XCTAssertNotEqual(stranger, first, "another visitor pays on a session of their own")
            let forged = try session(of: try await open(hub, link.id, cookie: "cs_notthisone000000000000000"))
            XCTAssertNotEqual(forged, first)

            _ = try await pay(hub, session: first)
            let once = try await hub.request(.GET, "/v1/payment_links/\(link.id)")
            XCTAssertEqual(once["status"] as? String, "active")
            XCTAssertEqual(once["payments_count"] as? Int, 1)
            let next = try session(of: try await open(hub, link.id, cookie: cookie))
            XCTAssertNotEqual(next, first, "a paid session is not resumed: a new payment starts")

            _ = try await pay(hub, session: next)
            let full = try await hub.request(.GET, "/v1/payment_links/\(link.id)")
            XCTAssertEqual(full["status"] as? String, "completed")
            XCTAssertEqual(full["payments_count"] as? Int, 2)
            // The sessions still open through it are expired at once.
            try await hub.scheduler.runDue([.paymentLinkExpiry])
            for leftover in [stranger, forged] {
                let session = try await hub.request(.GET, "/v1/checkout_sessions/\(leftover)")
                XCTAssertEqual(session["status"] as? String, "expired", leftover)
            }
            let closed = try await open(hub, link.id, cookie: cookie)
            XCTAssertEqual(closed.status, .ok)
            XCTAssertTrue(closed.text.contains("Already paid"))
            let paidEvents = try await hub.storedEvents(objectID: link.id, type: "payment_link.paid")
            XCTAssertEqual(paidEvents.count, 2)
        }
    }

    func testDeactivateClosesTheLinkAndItsOpenSession() async throws {
        try await withEachDatabase { hub in
            let link = try await createLink(hub, ["amount": 500, "currency": "EUR", "customer": ["email": "ada@example.com"]])
            hub.clock.advance(1)
            let sessionID = try session(of: try await open(hub, link.id))
            hub.clock.advance(29)
            let deactivated = try await hub.request(.POST, "/v1/payment_links/\(link.id)/deactivate")
            XCTAssertEqual(deactivated.status, .ok, deactivated.text)
            XCTAssertEqual(deactivated["status"] as? String, "deactivated")
            XCTAssertEqual(deactivated["deactivated_at"] as? Int, Int(start) + 30)
            let again = try await hub.request(.POST, "/v1/payment_links/\(link.id)/deactivate")
            XCTAssertEqual(again.status, .ok)
            XCTAssertEqual(again["status"] as? String, "deactivated")
            let events = try await hub.storedEvents(objectID: link.id).map(\.type)
            XCTAssertEqual(events, ["payment_link.created", "payment_link.opened", "payment_link.deactivated"])

            try await hub.scheduler.runDue([.paymentLinkExpiry])
            let session = try await hub.request(.GET, "/v1/checkout_sessions/\(sessionID)")
            XCTAssertEqual(session["status"] as? String, "expired", "its session can no longer be paid")
            let paid = try await pay(hub, session: sessionID)
            XCTAssertEqual(paid.status, .conflict)

            let themed = try await hub.request(.POST, "/v1/checkout_theme", json: ["logo_url": "https://cdn.shop.example/logo.png", "primary_color": "#7a0b5c"])
            XCTAssertEqual(themed.status, .ok, themed.text)
            let page = try await open(hub, link.id)
            XCTAssertEqual(page.status, .gone)
            XCTAssertTrue(page.text.contains("This payment link is no longer active"), page.text)
            XCTAssertTrue(page.text.contains("--ph-primary:#7a0b5c"), "the page wears the shop's checkout theme")
            XCTAssertTrue(page.text.contains(#"<img id="merchant-logo" src="https://cdn.shop.example/logo.png" alt="Test Shop">"#), page.text)
            let csp = try XCTUnwrap(page.headers.first(name: "Content-Security-Policy"))
            XCTAssertTrue(csp.contains("img-src 'self' data: https://cdn.shop.example;") && csp.contains("script-src 'none'"), csp)
            XCTAssertTrue(page.text.contains("Test Shop has deactivated it."), page.text)
            let send = try await hub.request(.POST, "/v1/payment_links/\(link.id)/send")
            XCTAssertEqual(send.status, .conflict)
            XCTAssertEqual(send.errorCode, "payment_link_deactivated")
        }
    }

    func testTheExpiryJobExpiresTheLinkOnTimeOnce() async throws {
        try await withEachDatabase { hub in
            let link = try await createLink(hub, ["amount": 500, "currency": "EUR", "expires_at": start + 3600])
            let paidLater = try await createLink(hub, ["amount": 500, "currency": "EUR", "expires_at": start + 3600])
            hub.clock.advance(1)
            let sessionID = try session(of: try await open(hub, link.id))
            let paidSession = try session(of: try await open(hub, paidLater.id))
            let session = try await hub.request(.GET, "/v1/checkout_sessions/\(sessionID)")
            XCTAssertEqual(session["expires_at"] as? Int, Int(start) + 3600, "a session never outlives its link")
            XCTAssertEqual(session["status"] as? String, "open")
            _ = try await pay(hub, session: paidSession)
            let early = try await hub.scheduler.runDue([.paymentLinkExpiry])
            XCTAssertEqual(early, 0, "nothing is due before expires_at")

            hub.clock.advance(3599)
            // Its time is up: the page says so before the job has run.
            let before = try await open(hub, link.id)
            XCTAssertEqual(before.status, .gone)
            XCTAssertTrue(before.text.contains("This payment link has expired"), before.text)
            let ran = try await hub.scheduler.runDue([.paymentLinkExpiry])
            XCTAssertEqual(ran, 2, "one job per link")
            let expired = try await hub.request(.GET, "/v1/payment_links/\(link.id)")
            XCTAssertEqual(expired["status"] as? String, "expired")
            XCTAssertEqual(expired["expired_at"] as? Int, Int(start) + 3600)
            let sessionAfter = try await hub.request(.GET, "/v1/checkout_sessions/\(sessionID)")
            XCTAssertEqual(sessionAfter["status"] as? String, "expired")
            let completed = try await hub.request(.GET, "/v1/payment_links/\(paidLater.id)")
            XCTAssertEqual(completed["status"] as? String, "completed", "a paid link is left as it is")

            // A repeated run (another process, a retry) changes nothing.
            let service = PaymentLinkService(context: hub.context, db: hub.app.db, logger: hub.app.logger)
            let repeated = try await service.expireOnTime(try PaymentLinkID(parsing: link.id))
            XCTAssertEqual(repeated, .done)
            let events = try await hub.storedEvents(objectID: link.id).map(\.type)
            XCTAssertEqual(events, ["payment_link.created", "payment_link.opened", "payment_link.expired"])
            let deactivate = try await hub.request(.POST, "/v1/payment_links/\(link.id)/deactivate")
            XCTAssertEqual(deactivate.errorCode, "payment_link_expired")
        }
    }

    // MARK: - Languages

    func testTheClosedPageSpeaksTheCustomersLanguage() async throws {
        try await withEachDatabase { hub in
            let link = try await createLink(hub, ["amount": 123_456, "currency": "EUR"])
            _ = try await hub.request(.POST, "/v1/payment_links/\(link.id)/deactivate")
            let italian = try await open(hub, link.id, language: "it-IT,it;q=0.9,en;q=0.5")
            XCTAssertEqual(italian.status, .gone)
            XCTAssertTrue(italian.text.contains(#"<html lang="it">"#))
            XCTAssertTrue(italian.text.contains("Questo link di pagamento non è più attivo"), italian.text)
            XCTAssertTrue(italian.text.contains("Importo: 1.234,56\u{00A0}€"), italian.text)
            XCTAssertEqual(italian.headers.first(name: "Content-Language"), "it")
            let english = try await open(hub, link.id, language: "pt-BR")
            XCTAssertTrue(english.text.contains("This payment link is no longer active"))

            let german = try await createLink(hub, ["amount": 100, "currency": "EUR", "customer": ["locale": "de-AT"]])
            _ = try await hub.request(.POST, "/v1/payment_links/\(german.id)/deactivate")
            let page = try await open(hub, german.id, language: "it")
            XCTAssertTrue(page.text.contains("Dieser Zahlungslink ist nicht mehr aktiv"), "the link's customer locale wins: \(page.text)")

            let unknown = try await open(hub, "plink_doesnotexist000000000000", language: "it")
            XCTAssertTrue(unknown.text.contains("Questo link di pagamento non esiste"), unknown.text)

            let paid = try await createLink(hub, ["amount": 100, "currency": "EUR"])
            _ = try await pay(hub, session: try session(of: try await open(hub, paid.id)))
            let paidPage = try await open(hub, paid.id, language: "it")
            XCTAssertEqual(paidPage.status, .ok)
            XCTAssertTrue(paidPage.text.contains("Già pagato"), paidPage.text)
        }
    }

    // MARK: - Sending and reminding

    func testSendingByEmailAtCreationAndAgainGoesThroughTheOutbox() async throws {
        try await withEachDatabase { hub in
            let link = try await createLink(hub, [
                "amount": 4900, "currency": "EUR", "description": "Fattura 118", "send": "email",
                "customer": ["name": "Ada", "email": "ada@example.com", "locale": "it"],
            ])
            XCTAssertEqual(link["sent_via"] as? String, "email")
            XCTAssertEqual(link["sent_at"] as? Int, Int(start))
            let events = try await hub.storedEvents(objectID: link.id).map(\.type)
            XCTAssertEqual(events.sorted(), ["payment_link.created", "payment_link.sent"], "in one transaction")
            let queued = try await hub.request(.GET, "/v1/notifications?payment_link=\(link.id)")
            let notifications = try XCTUnwrap(queued["data"] as? [[String: Any]])
            XCTAssertEqual(notifications.count, 1, "written in the link's transaction")
            XCTAssertEqual(notifications.first?["event"] as? String, "payment_link")
            XCTAssertEqual(notifications.first?["locale"] as? String, "it")

            try await hub.scheduler.runDue([.notificationSend])
            let mail = try XCTUnwrap(hub.mail.sent.first?.message)
            XCTAssertEqual(mail.to.map(\.address), ["ada@example.com"])
            XCTAssertTrue(mail.textBody.contains("http://payhub.test/l/\(link.id)"), mail.textBody)
            XCTAssertTrue(mail.textBody.contains("49,00\u{00A0}€"), mail.textBody)
            XCTAssertTrue(mail.textBody.contains("Fattura 118"), mail.textBody)
            XCTAssertTrue(mail.textBody.contains("22 gennaio 2027"), "expires_at in the customer's language: \(mail.textBody)")

            hub.clock.advance(60)
            let again = try await hub.request(.POST, "/v1/payment_links/\(link.id)/send")
            XCTAssertEqual(again.status, .ok, again.text)
            XCTAssertEqual(again["sent_at"] as? Int, Int(start) + 60)
            try await hub.scheduler.runDue([.notificationSend])
            XCTAssertEqual(hub.mail.sent.count, 2)
            let sent = try await hub.storedEvents(objectID: link.id, type: "payment_link.sent")
            XCTAssertEqual(sent.count, 2)

            let noPhone = try await hub.request(.POST, "/v1/payment_links/\(link.id)/send", json: ["channel": "sms"])
            XCTAssertEqual(noPhone.status, .badRequest)
            XCTAssertEqual(noPhone.errorParam, "customer.phone")
            let badChannel = try await hub.request(.POST, "/v1/payment_links/\(link.id)/send", json: ["channel": "fax"])
            XCTAssertEqual(badChannel.errorParam, "channel")

            let sms = try await createLink(hub, ["amount": 500, "currency": "EUR", "send": "sms", "customer": ["phone": "+39 333 1234567"]])
            XCTAssertEqual(sms["sent_via"] as? String, "sms")
            try await hub.scheduler.runDue([.notificationSend])
            let text = try XCTUnwrap(hub.sms.sent.first)
            XCTAssertEqual(text.to, "+393331234567")
            XCTAssertTrue(text.text.contains("http://payhub.test/l/\(sms.id)"), text.text)

            // A phone the gateway cannot use refuses the link: nothing is created, nothing sent.
            let local = try await hub.request(
                .POST, "/v1/payment_links", json: ["amount": 500, "currency": "EUR", "send": "sms", "customer": ["phone": "333 1234567"]])
            XCTAssertEqual(local.status, .badRequest)
            XCTAssertEqual(local.errorCode, "phone_invalid")
            XCTAssertEqual(local.errorParam, "customer.phone")
            let links = try await hub.request(.GET, "/v1/payment_links")
            XCTAssertEqual(ids(links).count, 2)
        }
    }

    func testOneReminderBeforeExpiryForASentLinkStillUnpaid() async throws {
        try await withEachDatabase { hub in
            let body: [String: Any] = [
                "amount": 500, "currency": "EUR", "send": "email", "expires_at": start + 3 * 86_400, "customer": ["email": "ada@example.com"],
            ]
            let link = try await createLink(hub, body)
            let paid = try await createLink(hub, body)
            let short = try await createLink(hub, ["amount": 500, "currency": "EUR", "send": "email", "expires_at": start + 12 * 3600,
                                                   "customer": ["email": "ada@example.com"]])
            let unsent = try await createLink(hub, ["amount": 500, "currency": "EUR", "expires_at": start + 3 * 86_400])
            _ = try await pay(hub, session: try session(of: try await open(hub, paid.id)))
            try await hub.scheduler.runDue([.notificationSend])
            let before = hub.mail.sent.count
            XCTAssertEqual(before, 4, "three links, and the receipt of the paid one")
            let early = try await hub.scheduler.runDue([.paymentLinkReminder])
            XCTAssertEqual(early, 0)

            hub.clock.advance(2 * 86_400)
            let ran = try await hub.scheduler.runDue([.paymentLinkReminder])
            XCTAssertEqual(ran, 2, "the links that were sent and live longer than a day: \(link.id), \(paid.id)")
            try await hub.scheduler.runDue([.notificationSend])
            XCTAssertEqual(hub.mail.sent.count, before + 1, "the paid link gets no reminder")
            let reminder = try XCTUnwrap(hub.mail.sent.last?.message)
            XCTAssertTrue(reminder.subject.hasPrefix("Reminder"), reminder.subject)
            XCTAssertTrue(reminder.textBody.contains("http://payhub.test/l/\(link.id)"))
            let reminded = try await hub.request(.GET, "/v1/payment_links/\(link.id)")
            XCTAssertEqual(reminded["reminder_sent_at"] as? Int, Int(start) + 2 * 86_400)
            for other in [paid, short, unsent] {
                let reply = try await hub.request(.GET, "/v1/payment_links/\(other.id)")
                XCTAssertTrue(reply["reminder_sent_at"] is NSNull, other.id)
            }

            // Sending again later does not remind twice; a repeated run sends nothing.
            _ = try await hub.request(.POST, "/v1/payment_links/\(link.id)/send")
            try await PaymentLinkService(context: hub.context, db: hub.app.db, logger: hub.app.logger).remind(try PaymentLinkID(parsing: link.id))
            hub.clock.advance(86_400)
            let later = try await hub.scheduler.runDue([.paymentLinkReminder])
            XCTAssertEqual(later, 0)
            try await hub.scheduler.runDue([.notificationSend])
            XCTAssertEqual(hub.mail.sent.count, before + 2, "the sending asked for, and no second reminder")
        }
    }

    func testTheReminderLeadIsConfigurable() async throws {
        try await withEachDatabase(environment: ["PAYHUB_LINK_REMINDER_BEFORE": "3600"]) { hub in
            let link = try await createLink(hub, [
                "amount": 500, "currency": "EUR", "send": "email", "expires_at": start + 2 * 3600, "customer": ["email": "ada@example.com"],
            ])
            hub.clock.advance(3599)
            let early = try await hub.scheduler.runDue([.paymentLinkReminder])
            XCTAssertEqual(early, 0)
            hub.clock.advance(1)
            let ran = try await hub.scheduler.runDue([.paymentLinkReminder])
            XCTAssertEqual(ran, 1)
            let reminded = try await hub.request(.GET, "/v1/payment_links/\(link.id)")
            XCTAssertEqual(reminded["reminder_sent_at"] as? Int, Int(start) + 3600)
        }
    }

    // MARK: - The customer asks for a link on the checkout page

    func testALinkMadeForACheckoutSessionResumesThatSessionAndItsIntent() async throws {
        try await withEachDatabase { hub in
            let checkout = try await hub.request(
                .POST, "/v1/checkout_sessions", json: ["amount": 1250, "currency": "EUR", "customer": ["name": "Zoë"], "user_type": "business"])
            XCTAssertEqual(checkout.status, .created, checkout.text)
            let sessionID = try CheckoutSessionID(parsing: checkout.id)
            let intent = try XCTUnwrap(checkout["payment_intent"] as? String)
            let scope = TenantScope(merchantID: hub.merchant.id, livemode: false)
            let service = PaymentLinkService(context: hub.context, db: hub.app.db, logger: hub.app.logger)

            let link = try await service.createForCheckoutSession(sessionID, recipient: " zoe@example.com ", channel: .email, locale: .fr, in: scope)
            XCTAssertEqual(link.checkoutSessionID, sessionID)
            XCTAssertEqual(link.link.expiresAt, Date(timeIntervalSince1970: TimeInterval(checkout["expires_at"] as? Int ?? 0)))
            XCTAssertFalse(link.link.reusable)
            XCTAssertEqual(link.totals.amountTotal, 1250)
            XCTAssertEqual(link.customer?.email, "zoe@example.com")
            XCTAssertEqual(link.customer?.name, "Zoë")
            XCTAssertEqual(link.customer?.locale, "fr", "the page's language")
            XCTAssertEqual(link.userType, "business")
            XCTAssertEqual(link.sentVia, .email)
            try await hub.scheduler.runDue([.notificationSend])
            let mail = try XCTUnwrap(hub.mail.sent.first?.message)
            XCTAssertEqual(mail.to.map(\.address), ["zoe@example.com"])
            XCTAssertTrue(mail.textBody.contains(intent), "the waiting intent is the reference: \(mail.textBody)")
            XCTAssertTrue(mail.textBody.contains("12,50\u{00A0}€"), mail.textBody)
            let notifications = try await hub.request(.GET, "/v1/notifications?payment_intent=\(intent)")
            XCTAssertEqual((notifications["data"] as? [Any])?.count, 1)

            // Asking again sends the same link again, to the recipient given now.
            let again = try await service.createForCheckoutSession(sessionID, recipient: "+33 6 12 34 56 78", channel: .sms, in: scope)
            XCTAssertEqual(again.id, link.id)
            XCTAssertEqual(again.customer?.phone, "+33 6 12 34 56 78")
            try await hub.scheduler.runDue([.notificationSend])
            XCTAssertEqual(hub.sms.sent.first?.to, "+33612345678")
            let listed = try await hub.request(.GET, "/v1/payment_links")
            XCTAssertEqual(ids(listed), [link.id.rawValue])
            XCTAssertEqual((listed["data"] as? [[String: Any]])?.first?["checkout_session"] as? String, checkout.id)

            let opened = try session(of: try await open(hub, link.id.rawValue))
            XCTAssertEqual(opened, checkout.id, "the same session, the same intent")
            _ = try await pay(hub, session: opened)
            let completed = try await hub.request(.GET, "/v1/payment_links/\(link.id)")
            XCTAssertEqual(completed["status"] as? String, "completed")
            let page = try await open(hub, link.id.rawValue)
            XCTAssertTrue(page.text.contains("Already paid"))
            let sessions = try await hub.request(.GET, "/v1/checkout_sessions")
            XCTAssertEqual(ids(sessions), [checkout.id], "no other session was made")

            do {
                _ = try await service.createForCheckoutSession(sessionID, recipient: "zoe@example.com", channel: .email, in: scope)
                XCTFail("a paid session gets no link")
            } catch let error as ServiceError {
                XCTAssertEqual(error.code, "checkout_session_complete")
            }
        }
    }

    func testTheCustomerFlowRefusesWhatItCannotSendOrReach() async throws {
        try await withEachDatabase { hub in
            let checkout = try await hub.request(.POST, "/v1/checkout_sessions", json: ["amount": 1250, "currency": "EUR"])
            let sessionID = try CheckoutSessionID(parsing: checkout.id)
            let scope = TenantScope(merchantID: hub.merchant.id, livemode: false)
            let service = PaymentLinkService(context: hub.context, db: hub.app.db, logger: hub.app.logger)
            let refusals: [(String, PaymentLinkChannel, String)] = [
                ("nope", .email, "email"), ("<script>@x", .email, "email"), ("333 1234567", .sms, "phone"), ("+39 abc", .sms, "phone"),
            ]
            for (recipient, channel, param) in refusals {
                do {
                    _ = try await service.createForCheckoutSession(sessionID, recipient: recipient, channel: channel, in: scope)
                    XCTFail(recipient)
                } catch let error as ServiceError {
                    XCTAssertEqual(error.kind, .invalidInput, recipient)
                    XCTAssertEqual(error.param, param, recipient)
                }
            }
            let other = try await MerchantService(context: hub.context, db: hub.app.db).create(name: "Other Shop")
            for stranger in [TenantScope(merchantID: other.id, livemode: false), TenantScope(merchantID: hub.merchant.id, livemode: true)] {
                do {
                    _ = try await service.createForCheckoutSession(sessionID, recipient: "zoe@example.com", channel: .email, in: stranger)
                    XCTFail("another tenant's session")
                } catch let error as ServiceError {
                    XCTAssertEqual(error.kind, .notFound)
                }
            }
            let links = try await hub.request(.GET, "/v1/payment_links")
            XCTAssertEqual(ids(links), [])

            // The shop ends its session: the link made for it ends with it.
            let link = try await service.createForCheckoutSession(sessionID, recipient: "zoe@example.com", channel: .email, in: scope)
            _ = try await hub.request(.POST, "/v1/checkout_sessions/\(checkout.id)/expire")
            let page = try await open(hub, link.id.rawValue)
            XCTAssertEqual(page.status, .gone)
            XCTAssertTrue(page.text.contains("This payment link has expired"), page.text)
            let sessions = try await hub.request(.GET, "/v1/checkout_sessions")
            XCTAssertEqual(ids(sessions), [checkout.id], "no new session for a link bound to an expired one")
        }
    }
}
