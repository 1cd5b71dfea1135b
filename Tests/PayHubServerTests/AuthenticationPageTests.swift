import Fluent
import Foundation
import SQLKit
@testable import PayHubServer
import XCTVapor

/// Issue 6, 2.6: the sandbox and Stripe authentication pages had no CSRF token, could be framed, and took any
/// number of decisions for any attempt.
final class AuthenticationPageTests: XCTestCase {
    /// An intent waiting on 3-D Secure and the path of its sandbox page.
    func challenged(_ hub: TestHub) async throws -> (intent: String, path: String) {
        let intent = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 500, "currency": "EUR"])
        let attempt = try await hub.request(.POST, "/v1/payment_intents/\(intent.id)/payments", json: [
            "payment_method": ["type": "card", "token": "tok_threeds"], "return_url": "https://shop.example/return",
        ])
        XCTAssertEqual(attempt["status"] as? String, "requires_action", attempt.text)
        let redirect = (attempt["next_action"] as? [String: Any])?["redirect_to_url"] as? [String: Any]
        let url = try XCTUnwrap(redirect?["url"] as? String)
        return (intent.id, String(url.dropFirst("http://payhub.test".count)))
    }

    func status(_ hub: TestHub, _ intent: String) async throws -> String? {
        try await hub.request(.GET, "/v1/payment_intents/\(intent)")["status"] as? String
    }

    func testAuthenticationPageRefusesAFormWithoutItsCSRFToken() async throws {
        try await withEachDatabase { hub in
            let (intent, path) = try await challenged(hub)
            let page = try await hub.openPage(path)
            XCTAssertNotNil(page.token, page.html)
            XCTAssertNotNil(page.cookie)
            for (token, cookie) in [(nil, nil), (page.token, nil), (nil, page.cookie), (page.token, "forged"), ("forged.mac", page.cookie)] {
                let forged = try await hub.submitPage(path, decision: "approve", token: token, cookie: cookie)
                XCTAssertEqual(forged.status, .forbidden, "token \(token ?? "-") cookie \(cookie ?? "-")")
            }
            let waiting = try await status(hub, intent)
            XCTAssertEqual(waiting, "requires_action", "a cross-site form decides nothing")
            let decided = try await hub.submitPage(path, decision: "approve", token: page.token, cookie: page.cookie)
            XCTAssertEqual(decided.status, .seeOther)
            let succeeded = try await status(hub, intent)
            XCTAssertEqual(succeeded, "succeeded")
        }
    }

    func testAuthenticationPageDecidesOnlyOnce() async throws {
        try await withEachDatabase { hub in
            let (intent, path) = try await challenged(hub)
            let page = try await hub.openPage(path)
            let approved = try await hub.submitPage(path, decision: "approve", token: page.token, cookie: page.cookie)
            XCTAssertEqual(approved.status, .seeOther)
            let again = try await hub.submitPage(path, decision: "fail", token: page.token, cookie: page.cookie)
            XCTAssertEqual(again.status, .conflict, again.body.string)
            let reopened = try await hub.openPage(path)
            XCTAssertNil(reopened.token, "a decided page offers no form")
            XCTAssertTrue(reopened.html.contains("already succeeded"), reopened.html)
            let succeeded = try await status(hub, intent)
            XCTAssertEqual(succeeded, "succeeded")
            let rows = try await (hub.app.db as! any SQLDatabase).raw("SELECT decision FROM authentication_decisions").all()
            XCTAssertEqual(rows.count, 1)
        }
    }

    func testAuthenticationPageFormDecidesOnlyTheAttemptItWasOpenedFor() async throws {
        try await withEachDatabase { hub in
            let (first, firstPath) = try await challenged(hub)
            let (second, secondPath) = try await challenged(hub)
            let firstPage = try await hub.openPage(firstPath)
            let crossed = try await hub.submitPage(secondPath, decision: "approve", token: firstPage.token, cookie: firstPage.cookie)
            XCTAssertEqual(crossed.status, .forbidden)
            let secondStatus = try await status(hub, second)
            XCTAssertEqual(secondStatus, "requires_action")
            let firstStatus = try await status(hub, first)
            XCTAssertEqual(firstStatus, "requires_action")
        }
    }

    func testAuthenticationPagesForbidFramingAndInlineScript() async throws {
        try await withEachDatabase { hub in
            let (_, path) = try await challenged(hub)
            let page = try await hub.openPage(path)
            let policy = try XCTUnwrap(page.headers.first(name: "Content-Security-Policy"))
            XCTAssertTrue(policy.contains("frame-ancestors 'none'"), policy)
            XCTAssertTrue(policy.contains("script-src 'none'"), policy)
            XCTAssertFalse(policy.contains("unsafe-inline"), policy)
            XCTAssertEqual(page.headers.first(name: "X-Frame-Options"), "DENY")
            XCTAssertFalse(page.html.contains("<script"), "the sandbox page runs no script")
            let nonce = try XCTUnwrap(policy.range(of: "'nonce-[^']+'", options: .regularExpression).map { String(policy[$0].dropFirst(7).dropLast()) })
            XCTAssertTrue(page.html.contains("<style nonce=\"\(nonce)\">"), "only the page's own style block is admitted")
        }
        // The Stripe.js page loads its script from PayHub instead of inlining it.
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let template = try String(
            contentsOf: sources.appendingPathComponent("Sources/PayHubServer/Resources/Views/stripe-authenticate.leaf"), encoding: .utf8)
        let scripts = template.components(separatedBy: "<script").dropFirst()
        XCTAssertFalse(scripts.isEmpty)
        for script in scripts { XCTAssertTrue(script.hasPrefix(" src="), "inline script in stripe-authenticate.leaf: \(script.prefix(60))") }
        let hub = try await TestHub.start(.sqlite)
        let served = try await hub.app.testable().performTest(
            request: .init(method: .GET, url: URI(path: "/stripe/authenticate.js"), headers: [:], body: ByteBuffer()))
        XCTAssertEqual(served.status, .ok)
        XCTAssertTrue(served.body.string.contains("handleNextAction"))
        try await hub.stop()
    }

    func testPageErrorsAreHTMLPagesUnderThePagesHeadersNotTheAPIsJSON() async throws {
        try await withEachDatabase { hub in
            let missing = try await hub.openPage("/sandbox/authenticate/py_doesnotexist")
            XCTAssertTrue(missing.html.contains("<h1>This page does not exist</h1>"), missing.html)
            XCTAssertFalse(missing.html.contains(#""error""#), "not the API's JSON error")
            XCTAssertEqual(missing.headers.contentType, .html)
            XCTAssertTrue(missing.headers.first(name: "Content-Security-Policy")?.contains("frame-ancestors 'none'") ?? false)

            let (_, path) = try await challenged(hub)
            let forged = try await hub.submitPage(path, decision: "approve", token: nil, cookie: nil)
            XCTAssertEqual(forged.status, .forbidden)
            XCTAssertTrue(forged.body.string.contains(#"<p id="error-message">"#), forged.body.string)
            XCTAssertEqual(forged.headers.first(name: "Cache-Control"), "no-store")

            let hostile = try await hub.openPage("/sandbox/authenticate/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
            XCTAssertFalse(hostile.html.contains("<script>"), "what the visitor sent is escaped: \(hostile.html)")
        }
    }
}
