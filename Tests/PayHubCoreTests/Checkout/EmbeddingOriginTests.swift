import PayHubCore
import XCTest

/// Embedding origins: what a merchant may allow, written as browsers send `Origin`.
final class EmbeddingOriginTests: XCTestCase {
    func testOriginsAreNormalisedAsBrowsersSendThem() throws {
        let cases: [(String, String)] = [
            ("https://shop.example", "https://shop.example"),
            ("HTTPS://Shop.EXAMPLE/", "https://shop.example"),
            ("https://shop.example:443", "https://shop.example"),
            ("http://shop.example:80", "http://shop.example"),
            ("https://shop.example:80", "https://shop.example:80"),
            ("http://127.0.0.1:5173", "http://127.0.0.1:5173"),
            ("http://localhost:3000", "http://localhost:3000"),
            ("https://[::1]:8443", "https://[::1]:8443"),
            ("https://xn--shp-una.example", "https://xn--shp-una.example"),
        ]
        for (raw, normalised) in cases {
            XCTAssertEqual(try EmbeddingOrigin(parsing: raw, livemode: false).description, normalised, raw)
        }
        XCTAssertEqual(try EmbeddingOrigin(parsing: "https://shop.example:8443", livemode: true).port, 8443)
    }

    func testAnythingButSchemeHostAndPortIsRefusedWithItsReason() {
        let cases: [(String, String)] = [
            ("https://*.shop.example", "wildcards"), ("https://shop.example/pay", "path"), ("https://shop.example?x=1", "query"),
            ("https://shop.example#x", "fragment"), ("https://a@shop.example", "user info"), ("ftp://shop.example", "https"),
            ("shop.example", "origin"), ("https://shop.example:0", "port"), ("https://shop.example:65536", "port"),
            ("https://shop.example:+1", "port"), ("https://", "host"), ("https://.shop.example", "host"), ("https://sh_op.example", "host"),
            ("https://shop.example-", "host"), ("https://[zz::1]", "IPv6"), ("https://[::1]x", "IPv6"), ("https://shöp.example", "ASCII"),
            ("https://shop.example\n", "ASCII"), ("", "characters"), ("null", "origin"),
        ]
        for (raw, reason) in cases {
            XCTAssertThrowsError(try EmbeddingOrigin(parsing: raw, livemode: false), raw) { error in
                let invalid = error as? EmbeddingOriginInvalid
                XCTAssertTrue(invalid?.reason.contains(reason) ?? false, "\(raw): \(String(describing: invalid))")
            }
        }
    }

    func testLiveModeNeedsHTTPS() {
        XCTAssertThrowsError(try EmbeddingOrigin(parsing: "http://shop.example", livemode: true)) { error in
            XCTAssertEqual((error as? EmbeddingOriginInvalid)?.reason, "must use https in live mode")
        }
        XCTAssertNoThrow(try EmbeddingOrigin(parsing: "http://127.0.0.1:5173", livemode: false))
    }
}
