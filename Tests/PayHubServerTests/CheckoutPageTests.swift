import Foundation
@testable import PayHubServer
import SQLKit
import XCTVapor

/// Issue 7, section 2: the hosted checkout pages, driven as a browser without JavaScript would.
final class CheckoutPageTests: XCTestCase {
    /// Opens the session's page and sends its Pay form with `fields` (the page's own CSRF token and attempt key).
    private func pay(
        _ browser: inout CheckoutBrowser, _ path: String, method: String, _ fields: [String: String] = [:]
    ) async throws -> CheckoutBrowser.Page {
        let page = try await browser.open(path)
        XCTAssertEqual(page.status, .ok, page.html)
        var form = ["method": method, "terms": "accepted"]
        form["csrf_token"] = page.field("csrf_token")
        form["attempt_key"] = page.field("attempt_key")
        form.merge(fields) { _, new in new }
        return try await browser.submit(path + "/pay", form)
    }

    private func sessionStatus(_ hub: TestHub, _ id: String) async throws -> String? {
        try await hub.request(.GET, "/v1/checkout_sessions/\(id)")["status"] as? String
    }

    func testTheCheckoutPageShowsTheOrderTheMethodsAndTheTerms() async throws {
        try await withEachDatabase { hub in
            _ = try await hub.request(.POST, "/v1/checkout_theme", json: ["terms_url": "https://shop.example/terms"])
            let session = try await hub.checkoutSession([
                "amount": NSNull(),
                "line_items": [
                    ["name": "Espresso cups", "quantity": 2, "unit_amount": 1250, "tax_rate": 2200],
                    ["name": "Beans", "quantity": 1, "unit_amount": 990],
                ],
            ])
            var browser = CheckoutBrowser(hub)
            let page = try await browser.open(session.path)
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(page.contains("Espresso cups"))
            XCTAssertEqual(page.text(ofID: "subtotal"), "€34.90")
            XCTAssertEqual(page.text(ofID: "tax"), "€5.50")
            XCTAssertEqual(page.text(ofID: "total"), "€40.40")
            XCTAssertTrue(page.contains(#"value="card:sandbox""#), "the sandbox offers cards")
            XCTAssertTrue(page.contains(#"value="mobile_money:sandbox""#))
            XCTAssertTrue(page.contains(#"href="https://shop.example/terms""#))
            XCTAssertTrue(page.contains(#"id="terms" name="terms" value="accepted" required"#))
            XCTAssertTrue(page.contains("Pay €40.40"))
            XCTAssertNotNil(page.field("csrf_token"))
            let csp = try XCTUnwrap(page.headers.first(name: "Content-Security-Policy"))
            XCTAssertTrue(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), csp)
            XCTAssertTrue(csp.contains("frame-ancestors 'none'"), csp)
            XCTAssertEqual(page.headers.first(name: .cacheControl), "no-store")
        }
    }

    func testACardPaymentCompletesTheSessionAndCannotBePaidAgain() async throws {
        try await withEachDatabase { hub in
            let session = try await hub.checkoutSession(["success_url": "https://shop.example/thanks"])
            var browser = CheckoutBrowser(hub)
            let sent = try await pay(&browser, session.path, method: "card:sandbox")
            let back = try await browser.payOnSandboxCardPage(sent.location, card: "tok_visa")
            XCTAssertTrue(try CheckoutBrowser.local(back.location).hasPrefix(session.path + "/return"))
            let result = try await browser.follow(try CheckoutBrowser.local(back.location))
            XCTAssertEqual(result.text(ofID: "result-message"), "Thank you: Test Shop has received your payment of €25.00.")
            XCTAssertTrue(result.contains(#"href="https://shop.example/thanks""#))
            let complete = try await sessionStatus(hub, session.id)
            XCTAssertEqual(complete, "complete")

            // The same form again, and a new form: neither pays twice.
            let replay = try await pay(&browser, session.path, method: "card:sandbox")
            XCTAssertNotEqual(replay.status, .ok)
            let attempts = try await hub.request(.GET, "/v1/payment_intents/\(session.intent)")
            XCTAssertEqual(attempts["amount_received"] as? Int, 2500)
            let page = try await browser.open(session.path)
            XCTAssertNil(page.field("csrf_token"), "a complete session's page offers no form")
            XCTAssertTrue(page.contains("Payment successful"), page.html)
        }
    }

    func testAResentPayFormIsOneAttempt() async throws {
        try await withEachDatabase { hub in
            let session = try await hub.checkoutSession()
            var browser = CheckoutBrowser(hub)
            let page = try await browser.open(session.path)
            let form = [
                "method": "mobile_money:sandbox", "phone": "+2250700000002", "csrf_token": page.field("csrf_token") ?? "",
                "attempt_key": page.field("attempt_key") ?? "",
            ]
            let first = try await browser.submit(session.path + "/pay", form)
            let second = try await browser.submit(session.path + "/pay", form)
            XCTAssertEqual(first.status, .seeOther)
            XCTAssertEqual(second.status, .seeOther, second.html)
            let rows = try await (hub.app.db as! any SQLDatabase).raw(
                "SELECT id FROM payment_attempts WHERE payment_intent_id = \(bind: session.intent)").all()
            XCTAssertEqual(rows.count, 1, "a double click is one attempt")
            let waiting = try await browser.open(session.path)
            XCTAssertNotNil(waiting.text(ofID: "action-message"), "the USSD step is shown in the page")
            XCTAssertTrue(waiting.contains(#"http-equiv="refresh""#), "a waiting page updates itself without JavaScript")
            let status = try await browser.open(session.path + "/status")
            XCTAssertTrue(status.html.contains(#""step":"ussd""#), status.html)
        }
    }

    func testADeclineShowsTheFailureAndAnotherMethodThenPays() async throws {
        try await withEachDatabase { hub in
            let session = try await hub.checkoutSession()
            var browser = CheckoutBrowser(hub)
            let sent = try await pay(&browser, session.path, method: "card:sandbox")
            let declined = try await browser.payOnSandboxCardPage(sent.location, card: "tok_declined")
            let failed = try await browser.follow(try CheckoutBrowser.local(declined.location))
            XCTAssertTrue(failed.contains("Payment failed"))
            XCTAssertTrue(failed.contains(#"id="retry""#))
            let retry = try await browser.open(session.path)
            XCTAssertNotNil(retry.text(ofID: "failure"))
            let wallet = try await pay(&browser, session.path, method: "wallet:sandbox")
            let handOff = try XCTUnwrap(wallet.location)
            XCTAssertTrue(handOff.hasPrefix("http://payhub.test/sandbox/authenticate/"), handOff)
            // The provider's page, then back through the return route.
            let providerPath = String(handOff.dropFirst("http://payhub.test".count))
            let decided = try await hub.decideOnPage(providerPath, decision: "approve")
            let back = try XCTUnwrap(decided.headers.first(name: .location))
            XCTAssertTrue(back.hasPrefix("http://payhub.test" + session.path + "/return"), back)
            let result = try await browser.follow(String(back.dropFirst("http://payhub.test".count)))
            XCTAssertTrue(result.contains("Payment successful"), result.html)
            let complete = try await sessionStatus(hub, session.id)
            XCTAssertEqual(complete, "complete")
        }
    }

    func testThreeDSecureOnTheProvidersPageFailedThenApproved() async throws {
        try await withEachDatabase { hub in
            let session = try await hub.checkoutSession()
            var browser = CheckoutBrowser(hub)
            let sent = try await pay(&browser, session.path, method: "card:sandbox")
            let failedBack = try await browser.payOnSandboxCardPage(sent.location, card: "tok_threeds", challenge: "fail")
            let failed = try await browser.follow(try CheckoutBrowser.local(failedBack.location))
            XCTAssertTrue(failed.contains("Payment failed"), failed.html)
            let open = try await sessionStatus(hub, session.id)
            XCTAssertEqual(open, "open", "the customer may try again")
            let again = try await pay(&browser, session.path, method: "card:sandbox")
            let approvedBack = try await browser.payOnSandboxCardPage(again.location, card: "tok_threeds", challenge: "approve")
            let succeeded = try await browser.follow(try CheckoutBrowser.local(approvedBack.location))
            XCTAssertTrue(succeeded.contains("Payment successful"), succeeded.html)
            let complete = try await sessionStatus(hub, session.id)
            XCTAssertEqual(complete, "complete")
        }
    }

    func testMobileMoneyAsksForTheCodeOnThePage() async throws {
        try await withEachDatabase { hub in
            let session = try await hub.checkoutSession()
            var browser = CheckoutBrowser(hub)
            let missing = try await pay(&browser, session.path, method: "mobile_money:sandbox", ["phone": "12"])
            XCTAssertEqual(missing.status, .badRequest)
            XCTAssertNotNil(missing.text(ofID: "form-error"))
            let sent = try await pay(&browser, session.path, method: "mobile_money:sandbox", ["phone": "+225 07 00 00 00 01"])
            XCTAssertEqual(sent.location, session.path)
            let step = try await browser.open(session.path)
            XCTAssertTrue(step.contains(#"id="otp-form""#), step.html)
            let wrong = try await browser.submit(session.path + "/otp", ["otp": "0000", "csrf_token": step.field("csrf_token") ?? ""])
            XCTAssertEqual(wrong.location, session.path + "/result")
            let failed = try await browser.open(session.path + "/result")
            XCTAssertTrue(failed.contains("Payment failed"), failed.html)
            let again = try await pay(&browser, session.path, method: "mobile_money:sandbox", ["phone": "+2250700000001"])
            XCTAssertEqual(again.location, session.path)
            let otp = try await browser.open(session.path)
            let right = try await browser.submit(session.path + "/otp", ["otp": "1234", "csrf_token": otp.field("csrf_token") ?? ""])
            XCTAssertEqual(right.location, session.path + "/result")
            let complete = try await sessionStatus(hub, session.id)
            XCTAssertEqual(complete, "complete")
        }
    }

    func testBankTransferAndQRAreShownOnThePage() async throws {
        try await withEachDatabase { hub in
            let transfer = try await hub.checkoutSession()
            var browser = CheckoutBrowser(hub)
            _ = try await pay(&browser, transfer.path, method: "bank_transfer:sandbox")
            let instructions = try await browser.open(transfer.path)
            XCTAssertNotNil(instructions.text(ofID: "iban"), instructions.html)
            XCTAssertNotNil(instructions.text(ofID: "transfer-reference"))
            let qr = try await hub.checkoutSession()
            _ = try await pay(&browser, qr.path, method: "qr:sandbox")
            let code = try await browser.open(qr.path)
            XCTAssertTrue(code.text(ofID: "qr-data")?.hasPrefix("payhub-sandbox://pay/") == true, code.html)
            XCTAssertTrue(code.contains(#"id="qr-image" src="data:image/svg+xml;base64,"#), "the QR code is drawn without a script")
        }
    }

    func testTermsMustBeAcceptedWhenTheMerchantHasThem() async throws {
        try await withEachDatabase { hub in
            _ = try await hub.request(.POST, "/v1/checkout_theme", json: ["terms_url": "https://shop.example/terms"])
            let session = try await hub.checkoutSession()
            var browser = CheckoutBrowser(hub)
            let refused = try await pay(&browser, session.path, method: "card:sandbox", ["terms": ""])
            XCTAssertEqual(refused.status, .badRequest)
            XCTAssertEqual(refused.text(ofID: "form-error"), "Accept the terms and conditions to pay.")
            let intent = try await hub.request(.GET, "/v1/payment_intents/\(session.intent)")
            XCTAssertEqual(intent["status"] as? String, "requires_payment_method", "nothing was attempted")
        }
    }

    func testFormsWithoutTheirCSRFTokenOrForAnotherSessionAreRefused() async throws {
        try await withEachDatabase { hub in
            let first = try await hub.checkoutSession()
            let second = try await hub.checkoutSession()
            var browser = CheckoutBrowser(hub)
            let page = try await browser.open(first.path)
            let form = ["method": "card:sandbox", "attempt_key": page.field("attempt_key") ?? ""]
            let tokenless = try await browser.submit(first.path + "/pay", form)
            XCTAssertEqual(tokenless.status, .forbidden)
            XCTAssertTrue(tokenless.contains("This form cannot be sent from here"), tokenless.html)
            var crossed = form
            crossed["csrf_token"] = page.field("csrf_token")
            let other = try await browser.submit(second.path + "/pay", crossed)
            XCTAssertEqual(other.status, .forbidden, "a token is bound to its session")
            for session in [first, second] {
                let intent = try await hub.request(.GET, "/v1/payment_intents/\(session.intent)")
                XCTAssertEqual(intent["status"] as? String, "requires_payment_method")
            }
        }
    }

    func testAMethodThePageDoesNotOfferIsRefused() async throws {
        try await withEachDatabase { hub in
            let rule = try await hub.request(.POST, "/v1/checkout_rules", json: ["priority": 1, "methods": [["payment_method": "card"]]])
            XCTAssertEqual(rule.status, .created, rule.text)
            let session = try await hub.checkoutSession()
            var browser = CheckoutBrowser(hub)
            let page = try await browser.open(session.path)
            XCTAssertFalse(page.contains("mobile_money"), "the rule shows cards only")
            let refused = try await pay(&browser, session.path, method: "mobile_money:sandbox", ["phone": "+2250700000001"])
            XCTAssertEqual(refused.status, .badRequest)
            XCTAssertEqual(refused.text(ofID: "form-error"), "Choose one of the payment methods shown on this page.")
        }
    }

    func testRulesDecideTheMethodsByAmountAndUserType() async throws {
        try await withEachDatabase { hub in
            _ = try await hub.request(.POST, "/v1/checkout_rules", json: [
                "priority": 20, "conditions": [["key": "user_type", "operator": "equals", "value": "business"]],
                "methods": [["payment_method": "bank_transfer"], ["payment_method": "card"]],
            ])
            _ = try await hub.request(.POST, "/v1/checkout_rules", json: [
                "priority": 10, "conditions": [["key": "amount", "operator": "greater_than", "value": 10_000, "currency": "EUR"]],
                "methods": [["payment_method": "bank_transfer"]],
            ])
            _ = try await hub.request(.POST, "/v1/checkout_rules", json: [
                "priority": 0, "methods": [["payment_method": "card"], ["payment_method": "wallet"]],
            ])
            var browser = CheckoutBrowser(hub)
            let small = try await browser.open(try await hub.checkoutSession(["amount": 5000]).path)
            XCTAssertTrue(small.contains(#"value="card:sandbox""#) && small.contains(#"value="wallet:sandbox""#))
            XCTAssertFalse(small.contains(#"value="bank_transfer:sandbox""#))
            let large = try await browser.open(try await hub.checkoutSession(["amount": 20_000]).path)
            XCTAssertFalse(large.contains(#"value="card:sandbox""#), "cards are hidden above EUR 100")
            XCTAssertTrue(large.contains(#"value="bank_transfer:sandbox""#))
            let business = try await browser.open(try await hub.checkoutSession(["amount": 5000, "user_type": "business"]).path)
            XCTAssertTrue(business.contains(#"value="bank_transfer:sandbox""#), "bank transfer only for business customers")
        }
    }

    func testThePageSpeaksTheSessionsOrTheBrowsersLanguage() async throws {
        try await withEachDatabase { hub in
            var browser = CheckoutBrowser(hub)
            let italian = try await browser.open(try await hub.checkoutSession(["locale": "it"]).path)
            XCTAssertTrue(italian.contains(#"<html lang="it">"#))
            XCTAssertTrue(italian.contains("Il tuo ordine"), italian.html)
            XCTAssertTrue(italian.contains("Paga 25,00\u{00A0}€"), "amounts are formatted for the locale")
            var italianBrowser = CheckoutBrowser(hub, acceptLanguage: "it-IT,it;q=0.9,en;q=0.5")
            let auto = try await italianBrowser.open(try await hub.checkoutSession().path)
            XCTAssertTrue(auto.contains("Il tuo ordine"), "auto follows Accept-Language")
            var germanBrowser = CheckoutBrowser(hub, acceptLanguage: "de")
            let fixed = try await germanBrowser.open(try await hub.checkoutSession(["locale": "fr"]).path)
            XCTAssertTrue(fixed.contains(#"<html lang="fr">"#), "the session's locale wins over the browser's")
        }
    }

    /// Without a language from the session or the browser, the pages speak the merchant's `default_locale`.
    func testThePageFallsBackToTheMerchantsDefaultLanguage() async throws {
        try await withEachDatabase { hub in
            var browser = CheckoutBrowser(hub)
            let before = try await browser.open(try await hub.checkoutSession().path)
            XCTAssertTrue(before.contains(#"<html lang="en">"#), "English until the merchant says otherwise")

            let settings = try await hub.request(.POST, "/v1/checkout_settings", json: ["default_locale": "it"])
            XCTAssertEqual(settings.status, .ok, settings.text)
            XCTAssertEqual(settings["default_locale"] as? String, "it")
            XCTAssertEqual(settings["allowed_origins"] as? [String], [], "the other settings stay")
            let read = try await hub.request(.GET, "/v1/checkout_settings")
            XCTAssertEqual(read["default_locale"] as? String, "it")

            let fallback = try await browser.open(try await hub.checkoutSession().path)
            XCTAssertTrue(fallback.contains(#"<html lang="it">"#) && fallback.contains("Il tuo ordine"), fallback.html)
            var unknownLanguage = CheckoutBrowser(hub, acceptLanguage: "ja-JP,ja;q=0.9")
            let japanese = try await unknownLanguage.open(try await hub.checkoutSession().path)
            XCTAssertTrue(japanese.contains(#"<html lang="it">"#), "a language PayHub does not speak falls back to the merchant's")
            var german = CheckoutBrowser(hub, acceptLanguage: "de")
            let browserFirst = try await german.open(try await hub.checkoutSession().path)
            XCTAssertTrue(browserFirst.contains(#"<html lang="de">"#), "the browser's language comes before the merchant's")
            let sessionFirst = try await german.open(try await hub.checkoutSession(["locale": "fr"]).path)
            XCTAssertTrue(sessionFirst.contains(#"<html lang="fr">"#))

            let refused = try await hub.request(.POST, "/v1/checkout_settings", json: ["default_locale": "xx"])
            XCTAssertEqual(refused.status, .badRequest, refused.text)
            XCTAssertEqual(refused.errorParam, "default_locale")
            let kept = try await hub.request(.GET, "/v1/checkout_settings")
            XCTAssertEqual(kept["default_locale"] as? String, "it")
        }
    }

    func testHostileInputIsEscapedOrRefused() async throws {
        try await withEachDatabase { hub in
            let hostile = try await hub.request(.POST, "/v1/checkout_sessions", json: [
                "amount": 100, "currency": "EUR", "theme": ["primary_color": "red;}</style><script>alert(1)</script>"],
            ])
            XCTAssertEqual(hostile.status, .badRequest)
            XCTAssertEqual(hostile.errorParam, "theme.primary_color")
            let overlong = try await hub.request(.POST, "/v1/checkout_sessions", json: [
                "amount": 100, "currency": "EUR", "locale": String(repeating: "it-", count: 40),
            ])
            XCTAssertEqual(overlong.status, .badRequest)
            let rows = try await (hub.app.db as! any SQLDatabase).raw("SELECT id FROM checkout_sessions").all()
            XCTAssertEqual(rows.count, 0, "nothing refused is stored")

            let session = try await hub.checkoutSession([
                "amount": NSNull(), "line_items": [["name": "<img src=x onerror=alert(1)>", "quantity": 1, "unit_amount": 100]],
                "customer": ["name": "<script>alert(1)</script>"],
            ])
            var browser = CheckoutBrowser(hub)
            let page = try await browser.open(session.path)
            XCTAssertFalse(page.contains("<img src=x"), "names are escaped")
            XCTAssertTrue(page.contains("&lt;img src=x onerror=alert(1)&gt;"))
            let unknown = try await browser.open("/checkout/cs_doesnotexist0000000000")
            XCTAssertEqual(unknown.status, .notFound)
            XCTAssertTrue(unknown.contains("<html"), "an HTML page, not JSON")
        }
    }

    func testASessionsThemeOverridesTheMerchantsOnItsPageOnly() async throws {
        try await withEachDatabase { hub in
            _ = try await hub.request(.POST, "/v1/checkout_theme", json: ["primary_color": "#123456", "logo_url": "https://cdn.shop.example/logo.png"])
            let themed = try await hub.checkoutSession(["theme": ["primary_color": "#aa0000", "button_color": "#004400"]])
            let plain = try await hub.checkoutSession()
            var browser = CheckoutBrowser(hub)
            let page = try await browser.open(themed.path)
            XCTAssertTrue(page.contains("--ph-primary:#aa0000") && page.contains("--ph-button:#004400"), page.html)
            XCTAssertTrue(page.contains(#"src="https://cdn.shop.example/logo.png""#))
            XCTAssertTrue(page.headers.first(name: "Content-Security-Policy")?.contains("img-src 'self' data: https://cdn.shop.example") == true)
            let other = try await browser.open(plain.path)
            XCTAssertTrue(other.contains("--ph-primary:#123456"))
            let object = try await hub.request(.GET, "/v1/checkout_sessions/\(themed.id)")
            XCTAssertEqual((object["theme"] as? [String: Any])?["primary_color"] as? String, "#aa0000")
        }
    }

    func testAnExpiredSessionShowsItsPageAndCannotBePaid() async throws {
        try await withEachDatabase { hub in
            let session = try await hub.checkoutSession()
            var browser = CheckoutBrowser(hub)
            let page = try await browser.open(session.path)
            let expired = try await hub.request(.POST, "/v1/checkout_sessions/\(session.id)/expire")
            XCTAssertEqual(expired["status"] as? String, "expired", expired.text)
            let shown = try await browser.open(session.path)
            XCTAssertTrue(shown.contains("This checkout has expired"), shown.html)
            let late = try await browser.submit(session.path + "/pay", [
                "method": "card:sandbox", "csrf_token": page.field("csrf_token") ?? "",
                "attempt_key": page.field("attempt_key") ?? "",
            ])
            XCTAssertEqual(late.status, .conflict)
            let intent = try await hub.request(.GET, "/v1/payment_intents/\(session.intent)")
            XCTAssertEqual(intent["status"] as? String, "canceled")
        }
    }

    func testPagesAreRateLimitedPerClientAddress() async throws {
        try await withEachDatabase(environment: ["PAYHUB_CHECKOUT_RATE_LIMIT": "1"]) { hub in
            let session = try await hub.checkoutSession()
            var browser = CheckoutBrowser(hub)
            var statuses: [HTTPResponseStatus] = []
            for _ in 0..<15 { statuses.append(try await browser.open(session.path).status) }
            XCTAssertEqual(statuses.first, .ok)
            XCTAssertTrue(statuses.contains(.tooManyRequests), "\(statuses)")
        }
    }

    func testTheCustomerCanAskToPayLaterByLink() async throws {
        try await withEachDatabase { hub in
            let session = try await hub.checkoutSession(["customer": ["name": "Ada", "locale": "it"]])
            var browser = CheckoutBrowser(hub)
            let page = try await browser.open(session.path)
            XCTAssertTrue(page.contains(#"id="link-form""#))
            let wrong = try await browser.submit(session.path + "/link", ["recipient": "not an address", "csrf_token": page.field("csrf_token") ?? ""])
            XCTAssertEqual(wrong.status, .badRequest)
            XCTAssertNotNil(wrong.text(ofID: "form-error"))
            let sent = try await browser.submit(session.path + "/link", ["recipient": "ada@example.com", "csrf_token": wrong.field("csrf_token") ?? ""])
            XCTAssertEqual(sent.status, .ok, sent.html)
            XCTAssertTrue(sent.text(ofID: "notice")?.contains("ada@example.com") == true, sent.html)
            let notifications = try await hub.request(.GET, "/v1/notifications?payment_intent=\(session.intent)")
            let data = try XCTUnwrap(notifications["data"] as? [[String: Any]], notifications.text)
            XCTAssertEqual(data.count, 1)
            XCTAssertEqual(data.first?["recipient"] as? String, "ada@example.com")
            let intent = try await hub.request(.GET, "/v1/payment_intents/\(session.intent)")
            XCTAssertEqual(intent["status"] as? String, "requires_payment_method", "the intent waits for the customer")
            let tokenless = try await browser.submit(session.path + "/link", ["recipient": "eve@example.com"])
            XCTAssertEqual(tokenless.status, .forbidden)
        }
    }

    func testOnlyTheMerchantsAllowedOriginsMayFrameThePage() async throws {
        try await withEachDatabase { hub in
            let session = try await hub.checkoutSession()
            var browser = CheckoutBrowser(hub)
            let closed = try await browser.open(session.path)
            XCTAssertTrue(closed.headers.first(name: "Content-Security-Policy")?.contains("frame-ancestors 'none'") == true)
            XCTAssertEqual(closed.headers.first(name: "X-Frame-Options"), "DENY")
            let settings = try await hub.request(.POST, "/v1/checkout_settings", json: ["allowed_origins": ["https://shop.example"]])
            XCTAssertEqual(settings.status, .ok, settings.text)
            let open = try await browser.open(session.path)
            XCTAssertTrue(open.headers.first(name: "Content-Security-Policy")?.contains("frame-ancestors https://shop.example") == true)
            XCTAssertNil(open.headers.first(name: "X-Frame-Options"), "the CSP decides who may frame the page")
        }
    }

    func testStaticFilesAreServed() async throws {
        try await withEachDatabase { hub in
            var browser = CheckoutBrowser(hub)
            let css = try await browser.open(CheckoutAsset.stylesheet.path)
            XCTAssertEqual(css.status, .ok)
            XCTAssertEqual(css.headers.contentType?.subType, "css")
            let script = try await browser.open(CheckoutAsset.script.path)
            XCTAssertEqual(script.status, .ok)
            XCTAssertTrue(script.html.contains("use strict"))
        }
    }
}
