import Foundation
@testable import PayHubServer
import Leaf
import PayHubCore
import XCTVapor

/// The checkout page filled into a kept shell is byte for byte the page Leaf renders itself, for every screen, with
/// values present and missing, lists of every length and hostile text.
final class LeafPageShellTests: XCTestCase {
    private static let hostile = [
        #"Ada "Bobby" O'Brien <script>alert(1)</script> & co"#, "Café ☕️ 𝄞 – ünïcödé", "", "true", "\u{E000}0\u{E001}", "#(title)", "a\nb",
    ]

    func testAShellFilledInIsTheSameAsLeafsOwnPage() async throws {
        let hub = try await TestHub.start(.sqlite)
        LeafPageShells.reset()
        _ = try await hub.request(.POST, "/v1/checkout_theme", json: ["terms_url": "https://shop.example/terms"])
        let created = try await hub.checkoutSession([
            "amount": NSNull(),
            "line_items": [["name": "Espresso cups", "quantity": 2, "unit_amount": 1250, "tax_rate": 2200]],
        ])
        let service = CheckoutPageService(context: hub.context, db: hub.app.db, logger: hub.app.logger)
        let subject = try await service.subject(created.id)
        let request = Request(application: hub.app, on: hub.app.eventLoopGroup.next())
        let catalog = try TranslationCatalog.shipped.get()

        var compared = 0
        for locale in [CustomerLocale.en, .it] {
            let builder = CheckoutPageModelBuilder(subject: subject, locale: locale, catalog: catalog)
            for screen in [CheckoutPageModel.Screen.choose, .card, .otp, .ussd, .qr, .bankTransfer, .redirect, .succeeded, .failed, .pending, .expired] {
                for (index, hostile) in Self.hostile.enumerated() {
                    var model = builder.model(
                        screen: screen, csrfToken: index == 2 ? nil : "csrf-\(hostile)", attemptKey: "attempt\(index)", styleNonce: "nonce\(index)")
                    model.merchant = hostile
                    model.title = "Title " + hostile
                    model.lines = (0..<(index % 4)).map { CheckoutPageModel.Line(name: hostile + "\($0)", quantity: Int64($0 + 1), amount: "€\($0),00") }
                    model.showBreakdown = !model.lines.isEmpty
                    model.logoURL = index.isMultiple(of: 2) ? "https://cdn.example/logo.png?a=1&b=\(index)" : nil
                    model.message = index == 1 ? nil : hostile
                    model.errorMessage = index == 3 ? hostile : nil
                    model.notice = index == 4 ? hostile : nil
                    model.recurring = index == 5 ? hostile : nil
                    model.termsURL = index == 6 ? nil : model.termsURL
                    model.qrData = screen == .qr ? hostile : nil
                    model.qrImage = screen == .qr ? "data:image/svg+xml;base64,AAAA" : nil
                    model.bankTransfer = screen == .bankTransfer
                        ? .init(accountHolder: hostile, iban: "IT60X0542811101000000123456", bic: "BPPIITRRXXX", reference: "RF\(index)") : nil
                    model.card = screen == .card
                        ? .init(method: "card:" + hostile, termsAccepted: index.isMultiple(of: 2), providerScript: "https://js.example/v3/?k=\(hostile)",
                                publishableKey: "pk_" + hostile, script: "/checkout/assets/checkout-card.js") : nil
                    let methods = index == 0 ? "" : "<li>methods \(index) & <b>raw</b></li>"
                    let context = model.leafContext(methodsHTML: methods)
                    let expected = try await request.leaf.render(path: "checkout", context: context).get()
                    // Twice: once rendered by Leaf with markers, once from the kept shell.
                    for _ in 0..<2 {
                        let filled = try await LeafPageShells.render(
                            "checkout", context: context, fixed: ["screen": screen.rawValue, "t": locale.rawValue], raw: ["methodsHTML"],
                            request: request)
                        XCTAssertEqual(String(buffer: filled), String(buffer: expected), "\(locale) \(screen) \(index)")
                        compared += 1
                    }
                }
            }
        }
        XCTAssertEqual(compared, 2 * 11 * Self.hostile.count * 2)
        try await hub.stop()
    }

    func testAStringIsEscapedAsLeafEscapesIt() {
        for text in Self.hostile + ["plain", "<>&\"'", "'''", "x&y"] {
            XCTAssertEqual(HTMLEscaping.escaped(text), text.htmlEscaped())
        }
    }

    func testAShellKeepsItsMarkersApartFromTheTextAroundThem() {
        var buffer = ByteBufferAllocator().buffer(capacity: 64)
        buffer.writeString("a" + LeafPageShells.marker(1) + "12" + LeafPageShells.marker(0) + "\u{E000}7\u{E001}\u{E000}x")
        let shell = LeafPageShells.Shell(marked: buffer, slots: 2)
        let filled = shell.filled(with: [("<zero>", false), ("one", true)], allocator: ByteBufferAllocator())
        // Slot 7 is no slot of this page: it stays text, as does a marker that never closes.
        XCTAssertEqual(String(buffer: filled), "aone12&lt;zero&gt;\u{E000}7\u{E001}\u{E000}x")
    }
}
