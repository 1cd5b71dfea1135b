@testable import PayHubCore
import XCTest

final class CheckoutThemeTests: XCTestCase {
    func testColoursAreParsedStrictlyAndWrittenBackAsHex() throws {
        XCTAssertEqual(try ThemeColor.parse("#0A5cd6", field: "c").description, "#0a5cd6")
        XCTAssertEqual(try ThemeColor.parse("#fff", field: "c").description, "#ffffff")
        for hostile in ["red", "red;}</style><script>", "#12345", "#gggggg", "#fff;", " #ffffff", "#ffffff ", "", "#ffffffff", "rgb(0,0,0)"] {
            XCTAssertThrowsError(try ThemeColor.parse(hostile, field: "primary_color"), hostile) { error in
                XCTAssertEqual((error as? ThemeInvalid)?.field, "primary_color")
            }
        }
    }

    func testChangesAreValidatedFieldByField() throws {
        let theme = try CheckoutTheme.standard.applying(CheckoutThemeChanges(
            pageTitle: "Shop", logoURL: "https://cdn.shop.example/logo.png", primaryColor: "#ff0000", font: "serif", cornerRadius: 0))
        XCTAssertEqual(theme.pageTitle, "Shop")
        XCTAssertEqual(theme.primaryColor.description, "#ff0000")
        XCTAssertEqual(theme.font, .serif)
        XCTAssertEqual(theme.cornerRadius, 0)
        XCTAssertEqual(theme.buttonColor, CheckoutTheme.standard.buttonColor, "what is not changed stays")
        let cleared = try theme.applying(CheckoutThemeChanges(logoURL: ""))
        XCTAssertNil(cleared.logoURL)

        let refusals: [(CheckoutThemeChanges, String)] = [
            (CheckoutThemeChanges(logoURL: "http://shop.example/logo.png"), "logo_url"),
            (CheckoutThemeChanges(logoURL: "javascript:alert(1)"), "logo_url"),
            (CheckoutThemeChanges(faviconURL: "https://x.example/\"onload=\"x"), "favicon_url"),
            (CheckoutThemeChanges(termsURL: "https://user:pw@shop.example/terms"), "terms_url"),
            (CheckoutThemeChanges(font: "Comic Sans"), "font"),
            (CheckoutThemeChanges(font: "https://fonts.example/f.woff"), "font"),
            (CheckoutThemeChanges(cornerRadius: 25), "corner_radius"),
            (CheckoutThemeChanges(cornerRadius: -1), "corner_radius"),
            (CheckoutThemeChanges(pageTitle: String(repeating: "x", count: 81)), "page_title"),
            (CheckoutThemeChanges(pageTitle: "a\u{0007}b"), "page_title"),
            (CheckoutThemeChanges(textColor: "#000;background:url(x)"), "text_color"),
        ]
        for (changes, field) in refusals {
            XCTAssertThrowsError(try CheckoutTheme.standard.applying(changes)) { error in
                XCTAssertEqual((error as? ThemeInvalid)?.field, field, "\(changes)")
            }
        }
    }

    func testTheStandardThemeIsReadableAndContrastIsComputedAsWCAGDoes() throws {
        XCTAssertTrue(CheckoutTheme.standard.isReadable)
        let black = try ThemeColor.parse("#000", field: "c"), white = try ThemeColor.parse("#fff", field: "c")
        XCTAssertEqual(black.contrast(with: white), 21, accuracy: 0.001)
        XCTAssertEqual(white.contrast(with: white), 1, accuracy: 0.001)
        let grey = try ThemeColor.parse("#777777", field: "c")
        XCTAssertEqual(grey.contrast(with: white), 4.48, accuracy: 0.01)
        let unreadable = try CheckoutTheme.standard.applying(CheckoutThemeChanges(textColor: "#eeeeee"))
        XCTAssertFalse(unreadable.isReadable)
    }

    func testEveryFontIsALocalStack() {
        for font in ThemeFont.allCases {
            XCTAssertFalse(font.stack.contains("url("), "\(font)")
            XCTAssertFalse(font.stack.contains("http"), "\(font)")
        }
    }
}
