import Foundation
@testable import PayHubServer
import XCTVapor

/// A customer's browser on the hosted checkout, as far as tests need one: it keeps the page's CSRF cookie, reads a
/// page's form values, sends forms and follows PayHub's own redirects.
struct CheckoutBrowser {
    struct Page {
        var status: HTTPResponseStatus
        var headers: HTTPHeaders
        var html: String
        var location: String? { headers.first(name: .location) }

        /// The value of a hidden form field on the page.
        func field(_ name: String) -> String? {
            guard let match = html.firstMatch(of: try! Regex(#"name="\#(name)" value="([^"]*)""#)) else { return nil }
            return match.output[1].substring.map(String.init)
        }

        func contains(_ text: String) -> Bool { html.contains(text) }

        /// The text of the element with this id (its first text node).
        func text(ofID id: String) -> String? {
            guard let match = html.firstMatch(of: try! Regex(#"id="\#(id)"[^>]*>([^<]*)<"#)) else { return nil }
            return match.output[1].substring.map(String.init)
        }
    }

    let hub: TestHub
    /// The CSRF cookies set, by their path (the checkout's and the sandbox page's live side by side).
    var cookies: [String: String] = [:]
    var acceptLanguage: String?

    init(_ hub: TestHub, acceptLanguage: String? = nil) {
        self.hub = hub
        self.acceptLanguage = acceptLanguage
    }

    mutating func open(_ path: String) async throws -> Page {
        try await send(.GET, path, form: nil)
    }

    /// Opens a path and follows redirects that stay on PayHub, up to a few.
    mutating func follow(_ path: String) async throws -> Page {
        var page = try await open(path)
        var hops = 0
        while page.status == .seeOther, let next = page.location, hops < 5 {
            let local = next.hasPrefix("http://payhub.test") ? String(next.dropFirst("http://payhub.test".count)) : next
            guard local.hasPrefix("/") else { break }
            page = try await open(local)
            hops += 1
        }
        return page
    }

    /// On the sandbox's card page PayHub sent the customer to: chooses `card` (and answers its 3-D Secure challenge
    /// with `challenge`, `approve` or `fail`); returns the answer that sends the customer back.
    mutating func payOnSandboxCardPage(_ location: String?, card: String, challenge: String? = nil) async throws -> Page {
        let url = try XCTUnwrap(location)
        XCTAssertTrue(url.hasPrefix("http://payhub.test/sandbox/authenticate/"), url)
        let path = String(url.dropFirst("http://payhub.test".count))
        let page = try await open(path)
        XCTAssertTrue(page.contains(#"name="card""#), page.html)
        var sent = try await submit(path, ["card": card, "csrf_token": page.field("csrf_token") ?? ""])
        if let challenge {
            let challengePage = try await open(try XCTUnwrap(sent.location))
            XCTAssertTrue(challengePage.contains(#"id="approve""#), challengePage.html)
            sent = try await submit(path, ["card": card, "decision": challenge, "csrf_token": challengePage.field("csrf_token") ?? ""])
        }
        XCTAssertEqual(sent.status, .seeOther, sent.html)
        return sent
    }

    /// The local path of an absolute PayHub URL.
    static func local(_ url: String?) throws -> String {
        let url = try XCTUnwrap(url)
        return url.hasPrefix("http://payhub.test") ? String(url.dropFirst("http://payhub.test".count)) : url
    }

    mutating func submit(_ path: String, _ form: [String: String]) async throws -> Page {
        try await send(.POST, path, form: form)
    }

    private mutating func send(_ method: HTTPMethod, _ path: String, form: [String: String]?) async throws -> Page {
        var headers = HTTPHeaders()
        if let cookie = cookies.filter({ path.hasPrefix($0.key) }).max(by: { $0.key.count < $1.key.count })?.value {
            headers.replaceOrAdd(name: .cookie, value: "\(AuthenticationPageGuard.cookieName)=\(cookie)")
        }
        if let acceptLanguage { headers.replaceOrAdd(name: .acceptLanguage, value: acceptLanguage) }
        var body = ByteBuffer()
        if let form {
            headers.contentType = .urlEncodedForm
            var components = URLComponents()
            components.queryItems = form.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
            body.writeString((components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B"))
        }
        let response = try await hub.app.testable().performTest(
            request: TestingHTTPRequest(method: method, url: URI(path: path), headers: headers, body: body))
        if let set = response.headers.setCookie?[AuthenticationPageGuard.cookieName] { cookies[set.path ?? "/"] = set.string }
        return Page(status: response.status, headers: response.headers, html: response.body.string)
    }
}

extension TestHub {
    /// Creates a checkout session by API and returns its id and page path.
    func checkoutSession(_ json: [String: Any] = [:]) async throws -> (id: String, path: String, intent: String) {
        var body: [String: Any] = ["amount": 2500, "currency": "EUR", "cancel_url": "https://shop.example/cart"]
        body.merge(json) { _, new in new }
        let created = try await request(.POST, "/v1/checkout_sessions", json: body)
        XCTAssertEqual(created.status, .created, created.text)
        let url = try XCTUnwrap(created["url"] as? String)
        let path = String(url.dropFirst("http://payhub.test".count))
        return (created.id, path, try XCTUnwrap(created["payment_intent"] as? String))
    }
}
