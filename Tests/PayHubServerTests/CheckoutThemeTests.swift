import Foundation
@testable import PayHubServer
import XCTVapor

/// `/v1/checkout_theme`: the merchant's look of the hosted checkout (issue 7, section 2, theming).
final class CheckoutThemeAPITests: XCTestCase {
    func testTheStandardThemeUntilTheMerchantChangesItFieldByField() async throws {
        try await withEachDatabase { hub in
            let standard = try await hub.request(.GET, "/v1/checkout_theme")
            XCTAssertEqual(standard.status, .ok, standard.text)
            XCTAssertEqual(standard["primary_color"] as? String, "#0a5cd6")
            XCTAssertEqual(standard["readable"] as? Bool, true)
            XCTAssertTrue(standard.json["updated"] is NSNull)

            let changed = try await hub.request(.POST, "/v1/checkout_theme", json: [
                "primary_color": "#F0A", "logo_url": "https://cdn.shop.example/logo.svg", "font": "serif", "corner_radius": 0,
                "terms_url": "https://shop.example/terms",
            ])
            XCTAssertEqual(changed.status, .ok, changed.text)
            XCTAssertEqual(changed["primary_color"] as? String, "#ff00aa")
            XCTAssertEqual(changed["font"] as? String, "serif")
            let again = try await hub.request(.POST, "/v1/checkout_theme", json: ["page_title": "Shop checkout"])
            XCTAssertEqual(again["logo_url"] as? String, "https://cdn.shop.example/logo.svg", "other fields stay")
            XCTAssertEqual(again["page_title"] as? String, "Shop checkout")
            let cleared = try await hub.request(.POST, "/v1/checkout_theme", json: ["logo_url": ""])
            XCTAssertTrue(cleared.json["logo_url"] is NSNull)
            let read = try await hub.request(.GET, "/v1/checkout_theme")
            XCTAssertEqual(read["page_title"] as? String, "Shop checkout")
            XCTAssertNotNil(read["updated"] as? Int)

            let live = try await hub.request(.GET, "/v1/checkout_theme", key: hub.merchant.secretKeyLive)
            XCTAssertEqual(live["primary_color"] as? String, "#0a5cd6", "each mode has its own theme")
        }
    }

    func testHostileValuesAreRefusedNamingTheirFieldAndNothingIsStored() async throws {
        try await withEachDatabase { hub in
            let hostile: [(String, Any)] = [
                ("primary_color", "red;}</style><script>alert(1)</script>"), ("text_color", "#000;background:url(x)"),
                ("logo_url", "javascript:alert(1)"), ("favicon_url", "http://shop.example/f.ico"),
                ("terms_url", "https://shop.example/\"><script>"), ("font", "https://fonts.example/evil.woff2"),
                ("corner_radius", 999), ("page_title", "a\u{0007}b"),
            ]
            for (field, value) in hostile {
                let refused = try await hub.request(.POST, "/v1/checkout_theme", json: [field: value])
                XCTAssertEqual(refused.status, .badRequest, "\(field): \(refused.text)")
                XCTAssertEqual(refused.errorParam, field, refused.text)
            }
            let unknown = try await hub.request(.POST, "/v1/checkout_theme", json: ["css": "body{}"])
            XCTAssertEqual(unknown.errorCode, "parameter_unknown", unknown.text)
            let theme = try await hub.request(.GET, "/v1/checkout_theme")
            XCTAssertTrue(theme.json["updated"] is NSNull, "nothing was stored")
        }
    }

    func testAMerchantSeesOnlyItsOwnThemeAndAClientTokenIsRefused() async throws {
        try await withEachDatabase { hub in
            _ = try await hub.request(.POST, "/v1/checkout_theme", json: ["primary_color": "#123456"])
            let other = try await MerchantService(context: hub.context, db: hub.app.db).create(name: "Other Shop")
            let theirs = try await hub.request(.GET, "/v1/checkout_theme", key: other.secretKeyTest)
            XCTAssertEqual(theirs["primary_color"] as? String, "#0a5cd6")

            let intent = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 100, "currency": "EUR"])
            let token = try XCTUnwrap(intent["client_token"] as? String)
            let refused = try await hub.request(.POST, "/v1/checkout_theme", json: ["primary_color": "#000000"], key: token)
            XCTAssertEqual(refused.status, .forbidden, refused.text)
        }
    }
}
