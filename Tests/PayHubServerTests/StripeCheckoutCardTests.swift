import AsyncHTTPClient
import Foundation
import PayHubConnectors
@testable import PayHubServer
import XCTVapor

/// Issue 7, section 2: a card paid through Stripe from the hosted checkout is entered in Stripe.js's card fields on
/// PayHub's card page, whose token the page posts back; PayHub never sees the card. Without localstripe the pages
/// and their policy are checked (nothing reaches Stripe); with it (`PAYHUB_LOCALSTRIPE_URL`), whole payments.
final class StripeCheckoutCardTests: XCTestCase {
    private let cardFirst: [String: Any] = [
        "priority": 1, "methods": [["payment_method": "card", "provider": "stripe"], ["payment_method": "wallet", "provider": "sandbox"]],
    ]

    private func hub(stripe credentials: [String: String]) async throws -> TestHub {
        let hub = try await TestHub.start(.sqlite, connectors: [StripeConnector(), SandboxConnector()])
        _ = try await ProviderAccountService(context: hub.context, db: hub.app.db).add(
            merchantID: hub.merchant.id, provider: "stripe", livemode: false, name: "Stripe", credentials: credentials)
        let rule = try await hub.request(.POST, "/v1/checkout_rules", json: cardFirst)
        XCTAssertEqual(rule.status, .created, rule.text)
        return hub
    }

    /// Opens the page, chooses `method` and sends the Pay form (terms accepted): where PayHub sends the customer.
    private func choose(_ browser: inout CheckoutBrowser, _ path: String, method: String) async throws -> CheckoutBrowser.Page {
        let page = try await browser.open(path)
        XCTAssertEqual(page.status, .ok, page.html)
        return try await browser.submit(path + "/pay", [
            "method": method, "terms": "accepted", "csrf_token": page.field("csrf_token") ?? "", "attempt_key": page.field("attempt_key") ?? "",
        ])
    }

    func testAStripeCardGoesToTheCardPageWithStripeJSAndItsPolicy() async throws {
        let hub = try await hub(stripe: ["secret_key": "sk_test_payhub", "publishable_key": "pk_test_payhub"])
        do {
            _ = try await hub.request(.POST, "/v1/checkout_theme", json: ["terms_url": "https://shop.example/terms"])
            let session = try await hub.checkoutSession()
            var browser = CheckoutBrowser(hub)
            let page = try await browser.open(session.path)
            XCTAssertTrue(page.contains(#"value="card:stripe""#), page.html)
            let pagePolicy = try XCTUnwrap(page.headers.first(name: "Content-Security-Policy"))
            XCTAssertFalse(pagePolicy.contains("stripe.com"), "only the card page admits Stripe: \(pagePolicy)")
            XCTAssertFalse(page.contains("js.stripe.com"))

            let sent = try await choose(&browser, session.path, method: "card:stripe")
            XCTAssertEqual(sent.status, .seeOther, sent.html)
            XCTAssertEqual(sent.location, session.path + "/card?method=card:stripe&terms=accepted")
            let attempts = try await hub.request(.GET, "/v1/payment_intents/\(session.intent)")
            XCTAssertEqual((attempts["payments"] as? [Any])?.count ?? 0, 0, "no attempt before the card is entered")

            let card = try await browser.open(try XCTUnwrap(sent.location))
            XCTAssertEqual(card.status, .ok, card.html)
            XCTAssertTrue(card.contains(#"<script src="https://js.stripe.com/v3/"></script>"#), card.html)
            XCTAssertTrue(card.contains(#"<script src="/checkout/assets/checkout-card.js" defer></script>"#))
            XCTAssertTrue(card.contains(#"data-key="pk_test_payhub""#))
            XCTAssertFalse(card.contains("sk_test_payhub"), "the secret key never reaches the page")
            XCTAssertEqual(card.field("method"), "card:stripe")
            XCTAssertEqual(card.field("terms"), "accepted")
            XCTAssertNotNil(card.field("csrf_token"))
            XCTAssertTrue(card.contains(#"id="card-needs-script""#), "without JavaScript the page says the fields need it")
            XCTAssertTrue(card.contains(#"<button type="submit" id="pay-button" class="pay" hidden>Pay €25.00</button>"#))
            let policy = try XCTUnwrap(card.headers.first(name: "Content-Security-Policy"))
            XCTAssertTrue(policy.contains("script-src 'self' https://js.stripe.com https://*.js.stripe.com;"), policy)
            XCTAssertTrue(policy.contains("connect-src 'self' https://api.stripe.com;"), policy)
            XCTAssertTrue(policy.contains("frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com"), policy)
            XCTAssertTrue(policy.contains("frame-ancestors 'none'") && !policy.contains("unsafe-inline"), policy)

            let script = try await browser.open("/checkout/assets/checkout-card.js")
            XCTAssertEqual(script.status, .ok)
            XCTAssertTrue(script.html.contains("createToken"))

            // Terms not accepted on the page: back to it. A method that needs no card fields: back to the page.
            let withoutTerms = try await browser.open(session.path + "/card?method=card:stripe")
            XCTAssertEqual(withoutTerms.location, session.path)
            let wallet = try await browser.open(session.path + "/card?method=wallet:sandbox&terms=accepted")
            XCTAssertEqual(wallet.location, session.path)
            let unknown = try await browser.open(session.path + "/card?method=card:nowhere&terms=accepted")
            XCTAssertEqual(unknown.status, .badRequest, unknown.html)

            // A token that is not one is refused with the page's message, and nothing is attempted.
            let again = try await browser.open(try XCTUnwrap(sent.location))
            let hostile = try await browser.submit(session.path + "/pay", [
                "method": "card:stripe", "terms": "accepted", "card_token": "tok_<script>", "csrf_token": again.field("csrf_token") ?? "",
                "attempt_key": again.field("attempt_key") ?? "",
            ])
            XCTAssertEqual(hostile.status, .badRequest, hostile.html)
            XCTAssertFalse(hostile.contains("<script>"))
            let none = try await hub.request(.GET, "/v1/payment_intents/\(session.intent)")
            XCTAssertEqual((none["payments"] as? [Any])?.count ?? 0, 0)
        } catch {
            XCTFail("\(error)")
        }
        try await hub.stop()
    }

    func testAStripeAccountWithoutAPublishableKeyOffersNoCardOnTheHostedCheckout() async throws {
        let hub = try await hub(stripe: ["secret_key": "sk_test_payhub"])
        do {
            let session = try await hub.checkoutSession()
            var browser = CheckoutBrowser(hub)
            let page = try await browser.open(session.path)
            XCTAssertFalse(page.contains(#"value="card:stripe""#), "Stripe.js needs the account's publishable key")
            XCTAssertTrue(page.contains(#"value="wallet:sandbox""#), page.html)
            let refused = try await choose(&browser, session.path, method: "card:stripe")
            XCTAssertEqual(refused.status, .badRequest)
            XCTAssertEqual(refused.text(ofID: "form-error"), "Choose one of the payment methods shown on this page.")
        } catch {
            XCTFail("\(error)")
        }
        try await hub.stop()
    }

    /// What `payhub.js` reads: a Stripe card comes with Stripe.js's script and the publishable key (never the
    /// secret key); the sandbox's card, which its own page takes, with none.
    func testAnIntentsMethodsCarryStripesCardFields() async throws {
        let hub = try await hub(stripe: ["secret_key": "sk_test_payhub", "publishable_key": "pk_test_payhub"])
        do {
            let intent = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 1250, "currency": "EUR"])
            let token = try XCTUnwrap(intent["client_token"] as? String)
            let listed = try await hub.request(.GET, "/v1/payment_intents/\(intent.id)/payment_methods", key: token)
            XCTAssertEqual(listed.status, .ok, listed.text)
            let methods = try XCTUnwrap(listed["data"] as? [[String: Any]])
            XCTAssertEqual(methods.compactMap { $0["payment_method"] as? String }, ["card", "wallet"])
            XCTAssertEqual(methods[0]["provider"] as? String, "stripe")
            let fields = try XCTUnwrap(methods[0]["card_fields"] as? [String: Any], listed.text)
            XCTAssertEqual(fields["script_url"] as? String, "https://js.stripe.com/v3/")
            XCTAssertEqual(fields["publishable_key"] as? String, "pk_test_payhub")
            XCTAssertFalse(listed.text.contains("sk_test_payhub"))
            XCTAssertTrue(methods[1]["card_fields"] is NSNull, "a wallet has no card fields")

            let rules = try await hub.request(.GET, "/v1/checkout_rules")
            let ruleID = try XCTUnwrap((rules["data"] as? [[String: Any]])?.first?["id"] as? String)
            _ = try await hub.request(.DELETE, "/v1/checkout_rules/\(ruleID)")
            let sandboxFirst = try await hub.request(.GET, "/v1/payment_intents/\(intent.id)/payment_methods", key: token)
            let card = (sandboxFirst["data"] as? [[String: Any]])?.first { $0["payment_method"] as? String == "card" }
            // Two providers take cards and no rule names one: the first offering it is named, so the attempt is not
            // ambiguous, and its card fields come with it when it has them.
            let provider = try XCTUnwrap(card?["provider"] as? String, sandboxFirst.text)
            XCTAssertEqual(card?["card_fields"] is NSNull, provider == "sandbox", sandboxFirst.text)
        } catch {
            XCTFail("\(error)")
        }
        try await hub.stop()
    }

    func testAStripeAccountWithoutAPublishableKeyIsLeftOutOfAnIntentsMethods() async throws {
        let hub = try await hub(stripe: ["secret_key": "sk_test_payhub"])
        do {
            let intent = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 1250, "currency": "EUR"])
            let listed = try await hub.request(.GET, "/v1/payment_intents/\(intent.id)/payment_methods")
            let methods = (listed["data"] as? [[String: Any]] ?? []).compactMap { $0["payment_method"] as? String }
            XCTAssertEqual(methods, ["wallet"], "a Stripe card without Stripe.js cannot be paid in a browser: \(listed.text)")
        } catch {
            XCTFail("\(error)")
        }
        try await hub.stop()
    }

    /// localstripe's own Stripe.js creates tokens with `POST /v1/tokens`; this does what it does.
    private static func localstripeToken(card: String, baseURL: String) async throws -> String {
        var request = HTTPClientRequest(url: baseURL + "/v1/tokens")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: "card[number]=\(card)&card[exp_month]=12&card[exp_year]=2034&card[cvc]=123&key=pk_test_payhub"))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        return try XCTUnwrap(json?["id"] as? String, "\(json ?? [:])")
    }

    func testCardsEnteredInLocalstripesFieldsPayDeclineAndPassThreeDSecure() async throws {
        guard let localstripe = ProcessInfo.processInfo.environment["PAYHUB_LOCALSTRIPE_URL"], !localstripe.isEmpty else {
            throw XCTSkip("PAYHUB_LOCALSTRIPE_URL not set: Stripe cards from the hosted checkout against localstripe skipped")
        }
        let hub = try await hub(stripe: [
            "secret_key": "sk_test_payhub", "publishable_key": "pk_test_payhub", "base_url": localstripe, "emulator": "localstripe",
        ])
        do {
            /// Chooses the Stripe card, opens the card page and sends its form with a token of `number`.
            func pay(_ browser: inout CheckoutBrowser, _ path: String, number: String) async throws -> CheckoutBrowser.Page {
                let sent = try await choose(&browser, path, method: "card:stripe")
                let card = try await browser.open(try XCTUnwrap(sent.location))
                XCTAssertTrue(card.contains(#"<script src="\#(localstripe)/js.stripe.com/v3/"></script>"#), card.html)
                let policy = card.headers.first(name: "Content-Security-Policy") ?? ""
                XCTAssertTrue(policy.contains("script-src 'self' \(localstripe);") && policy.contains("connect-src 'self' \(localstripe);"), policy)
                return try await browser.submit(path + "/pay", [
                    "method": "card:stripe", "card_token": try await Self.localstripeToken(card: number, baseURL: localstripe),
                    "csrf_token": card.field("csrf_token") ?? "", "attempt_key": card.field("attempt_key") ?? "",
                ])
            }

            let paid = try await hub.checkoutSession()
            var browser = CheckoutBrowser(hub)
            let sent = try await pay(&browser, paid.path, number: "4242424242424242")
            XCTAssertEqual(sent.location, paid.path + "/result", sent.html)
            let result = try await browser.open(paid.path + "/result")
            XCTAssertEqual(result.text(ofID: "result-message"), "Thank you: Test Shop has received your payment of €25.00.")
            let intent = try await hub.request(.GET, "/v1/payment_intents/\(paid.intent)")
            XCTAssertEqual(intent["status"] as? String, "succeeded", intent.text)
            let attempt = try XCTUnwrap((intent["payments"] as? [[String: Any]])?.first)
            XCTAssertEqual(attempt["provider"] as? String, "stripe")
            XCTAssertTrue((attempt["provider_reference"] as? String)?.hasPrefix("pi_") ?? false, "\(attempt)")
            let complete = try await hub.request(.GET, "/v1/checkout_sessions/\(paid.id)")
            XCTAssertEqual(complete["status"] as? String, "complete")

            // A declined card: the failed page with a retry, and the session stays open.
            let declined = try await hub.checkoutSession()
            let refused = try await pay(&browser, declined.path, number: "4000000000000341")
            XCTAssertEqual(refused.location, declined.path + "/result", refused.html)
            let failed = try await browser.open(declined.path + "/result")
            XCTAssertTrue(failed.contains(#"id="retry""#), failed.html)
            let open = try await hub.request(.GET, "/v1/checkout_sessions/\(declined.id)")
            XCTAssertEqual(open["status"] as? String, "open")

            // 3-D Secure: on to PayHub's Stripe authentication page, approved, back to the checkout's result.
            let challenged = try await hub.checkoutSession()
            let handedOff = try await pay(&browser, challenged.path, number: "4000002500003155")
            let authentication = try CheckoutBrowser.local(handedOff.location)
            XCTAssertTrue(authentication.hasPrefix("/stripe/authenticate/pi_"), authentication)
            let decided = try await hub.decideOnPage(authentication, decision: "approve")
            let back = try CheckoutBrowser.local(decided.headers.first(name: .location))
            XCTAssertTrue(back.hasPrefix(challenged.path + "/return"), back)
            let outcome = try await browser.follow(back)
            XCTAssertEqual(outcome.text(ofID: "result-message"), "Thank you: Test Shop has received your payment of €25.00.", outcome.html)
        } catch {
            XCTFail("\(error)")
        }
        try await hub.stop()
    }
}
