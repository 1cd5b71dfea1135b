import Foundation
import PayHubConnectors
import PayHubCore
@testable import PayHubServer
import SQLKit
import XCTVapor

/// Issue 7, the checkout page's speed: what a merchant's pages share (name, theme, rules, accounts' methods,
/// allowed origins) is cached per process while its version stands, and a change made through any process is on
/// the very next page of every other. Each test runs two PayHubs on one database, as two processes would.
final class CheckoutPageConfigurationTests: XCTestCase {
    private static let connectors: @Sendable () -> [any PaymentConnector] = { [SandboxConnector(settlementDelay: 2), StripeConnector()] }

    /// `body(changing, showing)`: two PayHubs on one database (SQLite, then PostgreSQL when configured). `changing`'s
    /// merchant is the one both use.
    private func withTwoInstances(_ body: (TestHub, TestHub) async throws -> Void, line: UInt = #line) async throws {
        for database in TestDatabase.all {
            let changing = try await TestHub.start(database, connectors: Self.connectors())
            let showing: TestHub
            do {
                switch changing.context.config.database {
                case .sqlite(let path):
                    let directory = (path as NSString).deletingLastPathComponent
                    showing = try await TestHub.start(
                        database, migrate: false, environment: ["PAYHUB_DATA_DIR": directory], connectors: Self.connectors())
                case .postgres(let url):
                    let name = String(try XCTUnwrap(URLComponents(string: url)).path.dropFirst())
                    showing = try await TestHub.start(database, databaseName: name, migrate: false, connectors: Self.connectors())
                }
            } catch {
                try await changing.stop()
                throw error
            }
            do {
                try await body(changing, showing)
            } catch {
                XCTFail("[\(database)] \(error)", line: line)
            }
            try await showing.stop()
            try await changing.stop()
        }
    }

    func testAThemeChangedThroughOneProcessIsOnTheOthersNextPage() async throws {
        try await withTwoInstances { changing, showing in
            let session = try await changing.checkoutSession()
            var browser = CheckoutBrowser(showing)
            let before = try await browser.open(session.path)
            XCTAssertEqual(before.status, .ok, before.html)
            XCTAssertFalse(before.contains("--ph-primary:#123456"))
            XCTAssertNil(before.text(ofID: "merchant-logo"))
            let themed = try await changing.request(
                .POST, "/v1/checkout_theme", json: ["primary_color": "#123456", "logo_url": "https://cdn.shop.example/logo.png"])
            XCTAssertEqual(themed.status, .ok, themed.text)
            let after = try await browser.open(session.path)
            XCTAssertTrue(after.contains("--ph-primary:#123456"), after.html)
            XCTAssertTrue(after.contains(#"src="https://cdn.shop.example/logo.png""#))
            XCTAssertTrue(after.headers.first(name: "Content-Security-Policy")?.contains("img-src 'self' data: https://cdn.shop.example") == true)
        }
    }

    func testRulesCreatedAndDeletedThroughOneProcessAreOnTheOthersNextPage() async throws {
        try await withTwoInstances { changing, showing in
            let session = try await changing.checkoutSession()
            var browser = CheckoutBrowser(showing)
            let before = try await browser.open(session.path)
            XCTAssertTrue(before.contains(#"value="card:sandbox""#), before.html)
            let rule = try await changing.request(.POST, "/v1/checkout_rules", json: [
                "priority": 5, "methods": [["payment_method": "mobile_money"]],
            ])
            XCTAssertEqual(rule.status, .created, rule.text)
            let ruled = try await browser.open(session.path)
            XCTAssertFalse(ruled.contains(#"value="card:sandbox""#), "the new rule shows mobile money only")
            XCTAssertTrue(ruled.contains(#"value="mobile_money:sandbox""#), ruled.html)
            let deleted = try await changing.request(.DELETE, "/v1/checkout_rules/\(rule.id)")
            XCTAssertEqual(deleted.status, .ok, deleted.text)
            let after = try await browser.open(session.path)
            XCTAssertTrue(after.contains(#"value="card:sandbox""#), "without the rule every method is back")
        }
    }

    func testAllowedOriginsChangedThroughOneProcessFrameTheOthersNextPage() async throws {
        try await withTwoInstances { changing, showing in
            let session = try await changing.checkoutSession()
            var browser = CheckoutBrowser(showing)
            let before = try await browser.open(session.path)
            XCTAssertTrue(before.headers.first(name: "Content-Security-Policy")?.contains("frame-ancestors 'none'") == true)
            let settings = try await changing.request(.POST, "/v1/checkout_settings", json: ["allowed_origins": ["https://shop.example"]])
            XCTAssertEqual(settings.status, .ok, settings.text)
            let after = try await browser.open(session.path)
            XCTAssertTrue(
                after.headers.first(name: "Content-Security-Policy")?.contains("frame-ancestors https://shop.example") == true,
                after.headers.description)
            XCTAssertNil(after.headers.first(name: "X-Frame-Options"))
        }
    }

    func testAProviderAccountAddedThroughOneProcessOffersItsMethodsOnTheOthersNextPage() async throws {
        try await withTwoInstances { changing, showing in
            // Live mode: the sandbox moves no money, so before a live account the page has no method to offer.
            let created = try await changing.request(.POST, "/v1/checkout_sessions", json: [
                "amount": 2500, "currency": "EUR", "cancel_url": "https://shop.example/cart",
            ], key: changing.merchant.secretKeyLive)
            XCTAssertEqual(created.status, .created, created.text)
            let path = String(try XCTUnwrap(created["url"] as? String).dropFirst("http://payhub.test".count))
            var browser = CheckoutBrowser(showing)
            let before = try await browser.open(path)
            XCTAssertEqual(before.status, .ok, before.html)
            XCTAssertNotNil(before.text(ofID: "no-method"), before.html)
            _ = try await ProviderAccountService(context: changing.context, db: changing.app.db).add(
                merchantID: changing.merchant.id, provider: StripeConnector.name, livemode: true, name: nil,
                credentials: ["secret_key": "sk_live_configurationtest", "publishable_key": "pk_live_configurationtest"])
            let after = try await browser.open(path)
            XCTAssertNil(after.text(ofID: "no-method"), after.html)
            XCTAssertTrue(after.contains(#"value="card:stripe""#), after.html)
        }
    }

    /// The cache is what pages read: a theme written behind the repositories' back (no version bump) stays unseen by
    /// the process that cached it, until a real change bumps the version.
    func testPagesShowTheCachedConfigurationWhileItsVersionStands() async throws {
        try await withEachDatabase { hub in
            _ = try await hub.request(.POST, "/v1/checkout_theme", json: ["primary_color": "#111111"])
            let session = try await hub.checkoutSession()
            var browser = CheckoutBrowser(hub)
            let first = try await browser.open(session.path)
            XCTAssertTrue(first.contains("--ph-primary:#111111"), first.html)
            let sql = hub.app.db as! any SQLDatabase
            try await sql.raw("""
                UPDATE checkout_themes SET theme = REPLACE(theme, '#111111', '#222222') WHERE merchant_id = \(bind: hub.merchant.id)
                """).run()
            let cached = try await browser.open(session.path)
            XCTAssertTrue(cached.contains("--ph-primary:#111111"), "the unversioned write is not read: the page came from the cache")
            _ = try await hub.request(.POST, "/v1/checkout_theme", json: ["button_color": "#333333"])
            let changed = try await browser.open(session.path)
            XCTAssertTrue(changed.contains("--ph-primary:#222222") && changed.contains("--ph-button:#333333"), changed.html)
        }
    }

    func testTheCacheKeepsTheNewestVersionOfAScope() {
        let cache = CheckoutConfigurationCache(limit: 2)
        let scope = TenantScope(merchantID: "mer_a", livemode: false)
        func configuration(_ scope: TenantScope, version: Int64, name: String) -> CheckoutConfiguration {
            CheckoutConfiguration(
                scope: scope, version: version, merchantName: name, theme: .standard, rules: CheckoutRuleSet([]), capabilities: [], cardEntryProviders: [],
                frameAncestors: [])
        }
        cache.store(configuration(scope, version: 3, name: "new"))
        cache.store(configuration(scope, version: 2, name: "old"))
        XCTAssertEqual(cache[scope]?.merchantName, "new", "a slower read of an older version does not replace a newer one")
        cache.store(configuration(TenantScope(merchantID: "mer_b", livemode: false), version: 1, name: "b"))
        cache.store(configuration(TenantScope(merchantID: "mer_c", livemode: false), version: 1, name: "c"))
        XCTAssertNil(cache[scope], "past its limit the cache starts again")
        XCTAssertEqual(cache[TenantScope(merchantID: "mer_c", livemode: false)]?.merchantName, "c")
    }
}
