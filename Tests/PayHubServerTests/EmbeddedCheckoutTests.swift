import Foundation
@testable import PayHubServer
import XCTVapor

/// The embedded checkout (issue 7, section 3): the merchant's allowed origins, CORS for client tokens, the methods
/// of an intent, and `payhub.js` itself.
final class CheckoutSettingsAPITests: XCTestCase {
    func testOriginsAreNormalisedDeduplicatedAndRecordedAsAnEvent() async throws {
        try await withEachDatabase { hub in
            let initial = try await hub.request(.GET, "/v1/checkout_settings")
            XCTAssertEqual(initial.status, .ok, initial.text)
            XCTAssertEqual(initial["object"] as? String, "checkout_settings")
            XCTAssertEqual(initial["allowed_origins"] as? [String], [], "none by default")
            XCTAssertEqual(initial["livemode"] as? Bool, false)
            XCTAssertTrue(initial.json["updated"] is NSNull)

            let set = try await hub.request(.POST, "/v1/checkout_settings", json: [
                "allowed_origins": ["HTTPS://Shop.Example:443/", "http://127.0.0.1:5173", "https://shop.example", "https://[::1]:8443"],
            ])
            XCTAssertEqual(set.status, .ok, set.text)
            XCTAssertEqual(set["allowed_origins"] as? [String], ["https://shop.example", "http://127.0.0.1:5173", "https://[::1]:8443"])
            XCTAssertNotNil(set["updated"] as? Int)
            let read = try await hub.request(.GET, "/v1/checkout_settings")
            XCTAssertEqual(read["allowed_origins"] as? [String], ["https://shop.example", "http://127.0.0.1:5173", "https://[::1]:8443"])
            let service = CheckoutSettingsService(context: hub.context, db: hub.app.db)
            let scope = TenantScope(merchantID: hub.merchant.id, livemode: false)
            let origins = try await service.allowedOrigins(in: scope)
            XCTAssertEqual(origins, ["https://shop.example", "http://127.0.0.1:5173", "https://[::1]:8443"], "what frame-ancestors reads")

            _ = try await hub.request(.POST, "/v1/checkout_settings", json: ["allowed_origins": ["https://shop.example:443", "http://127.0.0.1:5173", "https://[::1]:8443"]])
            _ = try await hub.request(.POST, "/v1/checkout_settings", json: [:])
            let events = try await hub.request(.GET, "/v1/events?type=checkout_settings.updated")
            let data = try XCTUnwrap(events["data"] as? [[String: Any]])
            XCTAssertEqual(data.count, 1, "the same list again, or no list, changes nothing")
            let object = (data.first?["data"] as? [String: Any])?["object"] as? [String: Any]
            XCTAssertEqual(object?["allowed_origins"] as? [String], ["https://shop.example", "http://127.0.0.1:5173", "https://[::1]:8443"])

            let cleared = try await hub.request(.POST, "/v1/checkout_settings", json: ["allowed_origins": []])
            XCTAssertEqual(cleared["allowed_origins"] as? [String], [])
        }
    }

    func testHostileOriginsAreRefusedNamingTheElementAndNothingIsStored() async throws {
        try await withEachDatabase { hub in
            let hostile = [
                "https://*.shop.example", "*", "https://shop.example/checkout", "https://user:pw@shop.example", "https://shop.example?a=1",
                "https://shop.example#top", "javascript:alert(1)", "ftp://shop.example", "https://shop.example:99999", "https://shop.example:",
                "null", "", " https://shop.example", "https://shop..example", "https://-shop.example", "https://shöp.example",
                "https://shop.example\"><script>", "https://" + String(repeating: "a", count: 250) + ".example", "shop.example",
                "https://%73hop.example", "https://[::1", "https://a:b:c",
            ]
            for origin in hostile {
                let refused = try await hub.request(.POST, "/v1/checkout_settings", json: ["allowed_origins": ["https://ok.example", origin]])
                XCTAssertEqual(refused.status, .badRequest, "\(origin): \(refused.text)")
                XCTAssertEqual(refused.errorCode, "origin_invalid", origin)
                XCTAssertEqual(refused.errorParam, "allowed_origins.1", origin)
            }
            let tooMany = try await hub.request(
                .POST, "/v1/checkout_settings", json: ["allowed_origins": (1...21).map { "https://shop\($0).example" }])
            XCTAssertEqual(tooMany.errorParam, "allowed_origins", tooMany.text)
            let twenty = try await hub.request(
                .POST, "/v1/checkout_settings", json: ["allowed_origins": (1...20).map { "https://shop\($0).example" }])
            XCTAssertEqual(twenty.status, .ok, twenty.text)
            _ = try await hub.request(.POST, "/v1/checkout_settings", json: ["allowed_origins": []])

            let wrongType = try await hub.request(.POST, "/v1/checkout_settings", json: ["allowed_origins": [42]])
            XCTAssertEqual(wrongType.status, .badRequest, wrongType.text)
            let notAList = try await hub.request(.POST, "/v1/checkout_settings", json: ["allowed_origins": "https://shop.example"])
            XCTAssertEqual(notAList.status, .badRequest, notAList.text)
            let unknown = try await hub.request(.POST, "/v1/checkout_settings", json: ["frame_ancestors": ["*"]])
            XCTAssertEqual(unknown.errorCode, "parameter_unknown", unknown.text)

            let liveHTTP = try await hub.request(
                .POST, "/v1/checkout_settings", json: ["allowed_origins": ["http://shop.example"]], key: hub.merchant.secretKeyLive)
            XCTAssertEqual(liveHTTP.errorParam, "allowed_origins.0", "live mode needs https: \(liveHTTP.text)")
            let read = try await hub.request(.GET, "/v1/checkout_settings")
            XCTAssertEqual(read["allowed_origins"] as? [String], [])
            let events = try await hub.request(.GET, "/v1/events?type=checkout_settings.updated")
            XCTAssertEqual((events["data"] as? [Any])?.count, 2, "only the two valid lists were stored")
        }
    }

    func testEachMerchantAndModeHasItsOwnOriginsAndAClientTokenIsRefused() async throws {
        try await withEachDatabase { hub in
            _ = try await hub.request(.POST, "/v1/checkout_settings", json: ["allowed_origins": ["http://127.0.0.1:5173"]])
            let live = try await hub.request(
                .POST, "/v1/checkout_settings", json: ["allowed_origins": ["https://shop.example"]], key: hub.merchant.secretKeyLive)
            XCTAssertEqual(live["livemode"] as? Bool, true)
            XCTAssertEqual(live["allowed_origins"] as? [String], ["https://shop.example"])
            let test = try await hub.request(.GET, "/v1/checkout_settings")
            XCTAssertEqual(test["allowed_origins"] as? [String], ["http://127.0.0.1:5173"])

            let other = try await MerchantService(context: hub.context, db: hub.app.db).create(name: "Other Shop")
            let theirs = try await hub.request(.GET, "/v1/checkout_settings", key: other.secretKeyTest)
            XCTAssertEqual(theirs["allowed_origins"] as? [String], [], "another merchant sees none of them")
            _ = try await hub.request(.POST, "/v1/checkout_settings", json: ["allowed_origins": ["https://other.example"]], key: other.secretKeyTest)
            let mine = try await hub.request(.GET, "/v1/checkout_settings")
            XCTAssertEqual(mine["allowed_origins"] as? [String], ["http://127.0.0.1:5173"])

            let intent = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 1000, "currency": "EUR"])
            let token = try XCTUnwrap(intent["client_token"] as? String)
            let read = try await hub.request(.GET, "/v1/checkout_settings", key: token)
            XCTAssertEqual(read.errorCode, "secret_key_required", read.text)
            let write = try await hub.request(.POST, "/v1/checkout_settings", json: ["allowed_origins": ["https://evil.example"]], key: token)
            XCTAssertEqual(write.errorCode, "secret_key_required", write.text)
        }
    }

    func testConcurrentChangesTakeTurnsAndTheLastListIsWhole() async throws {
        try await withEachDatabase { hub in
            let lists = (0..<6).map { n in (0..<3).map { "https://shop\(n)-\($0).example" } }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for list in lists {
                    group.addTask {
                        let reply = try await hub.request(.POST, "/v1/checkout_settings", json: ["allowed_origins": list])
                        XCTAssertEqual(reply.status, .ok, reply.text)
                    }
                }
                try await group.waitForAll()
            }
            let read = try await hub.request(.GET, "/v1/checkout_settings")
            let stored = try XCTUnwrap(read["allowed_origins"] as? [String])
            XCTAssertTrue(lists.contains(stored), "one whole list, never a mix: \(stored)")
        }
    }
}

final class ClientCORSTests: XCTestCase {
    private let shop = "http://127.0.0.1:5173"

    private func preflight(_ hub: TestHub, _ path: String, origin: String, method: String = "POST") async throws -> TestHub.Reply {
        try await hub.request(.OPTIONS, path, key: "", headers: [
            ("Origin", origin), ("Access-Control-Request-Method", method), ("Access-Control-Request-Headers", "authorization, content-type, idempotency-key"),
        ])
    }

    func testPreflightsEchoOnlyOriginsThatSomeMerchantAllowsOnClientTokenRoutes() async throws {
        try await withEachDatabase { hub in
            let unknown = try await preflight(hub, "/v1/payment_intents/pi_x/payments", origin: shop)
            XCTAssertEqual(unknown.status, .noContent)
            XCTAssertNil(unknown.headers.first(name: .accessControlAllowOrigin), "no merchant allows it yet")

            _ = try await hub.request(.POST, "/v1/checkout_settings", json: ["allowed_origins": [shop]])
            for (path, method) in [
                ("/v1/payment_intents/pi_x", "GET"), ("/v1/payment_intents/pi_x/payment_methods", "GET"),
                ("/v1/payment_intents/pi_x/payments", "POST"), ("/v1/payment_intents/pi_x/payments/py_y/authenticate", "POST"),
            ] {
                let allowed = try await preflight(hub, path, origin: shop, method: method)
                XCTAssertEqual(allowed.status, .noContent, path)
                XCTAssertEqual(allowed.headers.first(name: .accessControlAllowOrigin), shop, path)
                XCTAssertEqual(allowed.headers.first(name: .accessControlAllowMethods), method, path)
                let headers = allowed.headers.first(name: .accessControlAllowHeaders)?.lowercased() ?? ""
                for header in ["authorization", "content-type", "idempotency-key"] { XCTAssertTrue(headers.contains(header), path) }
                XCTAssertEqual(allowed.headers.first(name: .vary), "Origin")
                XCTAssertNil(allowed.headers.first(name: .accessControlAllowCredentials))
            }
            for path in ["/v1/refunds", "/v1/payment_intents", "/v1/checkout_settings", "/v1/payment_intents/pi_x/capture"] {
                let secretOnly = try await preflight(hub, path, origin: shop)
                XCTAssertNil(secretOnly.headers.first(name: .accessControlAllowOrigin), "\(path) is for the secret key only")
            }
            let other = try await preflight(hub, "/v1/payment_intents/pi_x/payments", origin: "http://127.0.0.1:5174")
            XCTAssertNil(other.headers.first(name: .accessControlAllowOrigin), "another port is another origin")
            let null = try await preflight(hub, "/v1/payment_intents/pi_x/payments", origin: "null")
            XCTAssertNil(null.headers.first(name: .accessControlAllowOrigin))
        }
    }

    func testClientTokensActOnlyFromTheirMerchantsOrigins() async throws {
        try await withEachDatabase { hub in
            let other = try await MerchantService(context: hub.context, db: hub.app.db).create(name: "Other Shop")
            _ = try await hub.request(.POST, "/v1/checkout_settings", json: ["allowed_origins": [shop]])
            _ = try await hub.request(.POST, "/v1/checkout_settings", json: ["allowed_origins": ["https://other.example"]], key: other.secretKeyTest)
            let intent = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 1000, "currency": "EUR"])
            let token = try XCTUnwrap(intent["client_token"] as? String)
            let path = "/v1/payment_intents/\(intent.id)"

            let read = try await hub.request(.GET, path, key: token, headers: [("Origin", shop)])
            XCTAssertEqual(read.status, .ok, read.text)
            XCTAssertEqual(read.headers.first(name: .accessControlAllowOrigin), shop)
            XCTAssertTrue(read.headers.first(name: "Access-Control-Expose-Headers")?.contains("Retry-After") ?? false)
            XCTAssertEqual(read.headers.first(name: .vary), "Origin")

            // An origin that another merchant allows, or that nobody does, cannot use this merchant's token.
            for foreign in ["https://other.example", "https://evil.example", "null"] {
                let pay = try await hub.request(
                    .POST, "\(path)/payments", json: ["payment_method": ["type": "card", "token": "tok_visa"]], key: token,
                    headers: [("Origin", foreign)])
                XCTAssertEqual(pay.status, .forbidden, "\(foreign): \(pay.text)")
                XCTAssertEqual(pay.errorCode, "origin_not_allowed")
                XCTAssertNil(pay.headers.first(name: .accessControlAllowOrigin), "the foreign page cannot even read the refusal")
            }
            let untouched = try await hub.request(.GET, path)
            XCTAssertEqual(untouched["status"] as? String, "requires_payment_method")
            XCTAssertEqual((untouched["payments"] as? [Any])?.count, 0, "nothing was attempted")

            let declined = try await hub.request(
                .POST, "\(path)/payments", json: ["payment_method": ["type": "card", "token": "tok_declined"]], key: token,
                headers: [("Origin", shop)])
            XCTAssertEqual(declined.status, .paymentRequired, declined.text)
            XCTAssertEqual(declined.headers.first(name: .accessControlAllowOrigin), shop, "errors are readable on an allowed origin")
            let paid = try await hub.request(
                .POST, "\(path)/payments", json: ["payment_method": ["type": "card", "token": "tok_visa"]], key: token,
                headers: [("Origin", shop), ("Idempotency-Key", "click-1")])
            XCTAssertEqual(paid["status"] as? String, "succeeded", paid.text)
            XCTAssertEqual(paid.headers.first(name: .accessControlAllowOrigin), shop)

            let expired = try await hub.request(.GET, path, key: "not-a-token", headers: [("Origin", shop)])
            XCTAssertEqual(expired.status, .unauthorized)
            XCTAssertEqual(expired.headers.first(name: .accessControlAllowOrigin), shop, "the page may read that its token is invalid")
            let strangerExpired = try await hub.request(.GET, path, key: "not-a-token", headers: [("Origin", "https://evil.example")])
            XCTAssertNil(strangerExpired.headers.first(name: .accessControlAllowOrigin))

            let noOrigin = try await hub.request(.GET, path, key: token)
            XCTAssertEqual(noOrigin.status, .ok, "apps and servers send no Origin")
            XCTAssertNil(noOrigin.headers.first(name: .accessControlAllowOrigin))
        }
    }

    func testSecretKeysNeverGetCORSAndAreRefusedFromAForeignPage() async throws {
        try await withEachDatabase { hub in
            _ = try await hub.request(.POST, "/v1/checkout_settings", json: ["allowed_origins": [shop]])
            let fromPage = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 1000, "currency": "EUR"], headers: [("Origin", shop)])
            XCTAssertEqual(fromPage.status, .forbidden, fromPage.text)
            XCTAssertEqual(fromPage.errorCode, "secret_key_in_browser")
            XCTAssertNil(fromPage.headers.first(name: .accessControlAllowOrigin))
            let list = try await hub.request(.GET, "/v1/payment_intents", headers: [("Origin", shop)])
            XCTAssertEqual(list.errorCode, "secret_key_in_browser")
            let intents = try await hub.request(.GET, "/v1/payment_intents")
            XCTAssertEqual((intents["data"] as? [Any])?.count, 0, "nothing was created")

            let sameOrigin = try await hub.request(.GET, "/v1/payment_intents", headers: [("Origin", "http://payhub.test")])
            XCTAssertEqual(sameOrigin.status, .ok, "PayHub's own pages are same-origin: \(sameOrigin.text)")
            XCTAssertNil(sameOrigin.headers.first(name: .accessControlAllowOrigin))
            let server = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 1000, "currency": "EUR"])
            XCTAssertEqual(server.status, .created)
            XCTAssertNil(server.headers.first(name: .accessControlAllowOrigin))

            let spec = try await hub.request(.GET, "/v1/openapi.json", key: "", headers: [("Origin", "https://docs.example")])
            XCTAssertEqual(spec.headers.first(name: .accessControlAllowOrigin), "*", "the public document is readable anywhere")
        }
    }

    func testTheMerchantsModeDecides() async throws {
        try await withEachDatabase { hub in
            _ = try await hub.request(
                .POST, "/v1/checkout_settings", json: ["allowed_origins": ["https://shop.example"]], key: hub.merchant.secretKeyLive)
            let intent = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 1000, "currency": "EUR"])
            let token = try XCTUnwrap(intent["client_token"] as? String)
            let read = try await hub.request(.GET, "/v1/payment_intents/\(intent.id)", key: token, headers: [("Origin", "https://shop.example")])
            XCTAssertEqual(read.errorCode, "origin_not_allowed", "a live-mode origin does not open test mode: \(read.text)")
        }
    }
}

final class IntentPaymentMethodsTests: XCTestCase {
    private func methods(_ reply: TestHub.Reply) -> [String] {
        (reply["data"] as? [[String: Any]] ?? []).compactMap { $0["payment_method"] as? String }
    }

    func testTheRulesDecideOnTheIntentsAmountCurrencyMetadataAndWebChannel() async throws {
        try await withEachDatabase { hub in
            let small = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 1000, "currency": "EUR"])
            let token = try XCTUnwrap(small["client_token"] as? String)
            let all = try await hub.request(.GET, "/v1/payment_intents/\(small.id)/payment_methods", key: token)
            XCTAssertEqual(all.status, .ok, all.text)
            XCTAssertEqual(all["object"] as? String, "list")
            XCTAssertEqual(all["has_more"] as? Bool, false)
            XCTAssertEqual(Set(methods(all)), ["card", "wallet", "mobile_money", "bank_redirect", "bnpl", "bank_transfer", "qr"])

            _ = try await hub.request(.POST, "/v1/checkout_rules", json: [
                "priority": 30, "conditions": [["key": "amount", "operator": "greater_than", "value": 100_000, "currency": "EUR"]],
                "methods": [["payment_method": "bank_transfer"]],
            ])
            _ = try await hub.request(.POST, "/v1/checkout_rules", json: [
                "priority": 20, "conditions": [["key": "metadata.tier", "operator": "equals", "value": "gold"]],
                "methods": [["payment_method": "wallet", "provider": "sandbox"], ["payment_method": "card"]],
            ])
            _ = try await hub.request(.POST, "/v1/checkout_rules", json: [
                "priority": 10, "conditions": [["key": "channel", "operator": "equals", "value": "web"]],
                "methods": [["payment_method": "card"], ["payment_method": "mobile_money"]],
            ])
            let web = try await hub.request(.GET, "/v1/payment_intents/\(small.id)/payment_methods", key: token)
            XCTAssertEqual(methods(web), ["card", "mobile_money"], "an intent alone is on the web channel")
            let first = (web["data"] as? [[String: Any]])?.first
            XCTAssertTrue(first?["provider"] is NSNull, "no provider named: routing chooses")

            let large = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 250_000, "currency": "EUR"])
            let transfer = try await hub.request(.GET, "/v1/payment_intents/\(large.id)/payment_methods")
            XCTAssertEqual(methods(transfer), ["bank_transfer"], "the amount hides the others; the secret key may read it too")
            let dollars = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 250_000, "currency": "USD"])
            let dollarMethods = try await hub.request(.GET, "/v1/payment_intents/\(dollars.id)/payment_methods")
            XCTAssertEqual(methods(dollarMethods), ["card", "mobile_money"])
            let gold = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 1000, "currency": "EUR", "metadata": ["tier": "gold"]])
            let golden = try await hub.request(.GET, "/v1/payment_intents/\(gold.id)/payment_methods")
            XCTAssertEqual(methods(golden), ["wallet", "card"])
            XCTAssertEqual((golden["data"] as? [[String: Any]])?.first?["provider"] as? String, "sandbox")

            let elsewhere = try await hub.request(.GET, "/v1/payment_intents/\(large.id)/payment_methods", key: token)
            XCTAssertEqual(elsewhere.status, .notFound, "a client token reads its own intent only")
            let missing = try await hub.request(.GET, "/v1/payment_intents/pi_doesnotexist/payment_methods")
            XCTAssertEqual(missing.errorCode, "resource_missing")
            let other = try await MerchantService(context: hub.context, db: hub.app.db).create(name: "Other Shop")
            let theirs = try await hub.request(.GET, "/v1/payment_intents/\(small.id)/payment_methods", key: other.secretKeyTest)
            XCTAssertEqual(theirs.status, .notFound, "another merchant's intent does not exist for them")
        }
    }

    func testAnIntentOfACheckoutSessionIsJudgedOnTheSessionsAttributes() async throws {
        try await withEachDatabase { hub in
            _ = try await hub.request(.POST, "/v1/checkout_rules", json: [
                "priority": 10, "conditions": [["key": "user_type", "operator": "equals", "value": "business"]],
                "methods": [["payment_method": "bank_transfer"], ["payment_method": "card"]],
            ])
            _ = try await hub.request(.POST, "/v1/checkout_rules", json: [
                "priority": 5, "conditions": [["key": "product_category", "operator": "equals", "value": "books"]],
                "methods": [["payment_method": "wallet"]],
            ])
            let business = try await hub.request(.POST, "/v1/checkout_sessions", json: [
                "amount": 5000, "currency": "EUR", "user_type": "business", "channel": "app",
            ])
            XCTAssertEqual(business.status, .created, business.text)
            let businessIntent = try XCTUnwrap(business["payment_intent"] as? String)
            let businessMethods = try await hub.request(.GET, "/v1/payment_intents/\(businessIntent)/payment_methods")
            XCTAssertEqual(methods(businessMethods), ["bank_transfer", "card"])

            let books = try await hub.request(.POST, "/v1/checkout_sessions", json: [
                "currency": "EUR", "line_items": [["name": "Novel", "quantity": 1, "unit_amount": 1500, "category": "books"]],
            ])
            let booksIntent = try XCTUnwrap(books["payment_intent"] as? String)
            let booksMethods = try await hub.request(.GET, "/v1/payment_intents/\(booksIntent)/payment_methods")
            XCTAssertEqual(methods(booksMethods), ["wallet"])
        }
    }
}

final class EmbedScriptTests: XCTestCase {
    func testPayhubJSAndItsStylesheetAreServedWithCacheValidators() async throws {
        try await withEachDatabase { hub in
            let script = try await hub.request(.GET, "/payhub.js", key: "")
            XCTAssertEqual(script.status, .ok)
            XCTAssertEqual(script.headers.contentType?.subType, "javascript")
            XCTAssertTrue(script.text.contains("global.PayHub = {"), "the script itself")
            XCTAssertFalse(script.text.contains("innerHTML"), "text only, never markup from data")
            XCTAssertFalse(script.text.contains(".style."), "no inline styles a CSP would block")
            let etag = try XCTUnwrap(script.headers.first(name: .eTag))
            XCTAssertTrue(script.headers.first(name: .cacheControl)?.contains("max-age") ?? false)
            XCTAssertEqual(script.headers.first(name: "X-Content-Type-Options"), "nosniff")

            let again = try await hub.request(.GET, "/payhub.js", key: "", headers: [("If-None-Match", etag)])
            XCTAssertEqual(again.status, .notModified)
            XCTAssertTrue(again.text.isEmpty)
            let changed = try await hub.request(.GET, "/payhub.js", key: "", headers: [("If-None-Match", "\"stale\"")])
            XCTAssertEqual(changed.status, .ok)

            let style = try await hub.request(.GET, "/payhub.css", key: "")
            XCTAssertEqual(style.status, .ok)
            XCTAssertEqual(style.headers.contentType?.subType, "css")
            XCTAssertTrue(style.text.contains(".payhub-button"))
            XCTAssertNotEqual(style.headers.first(name: .eTag), etag)
        }
    }
}
