import PayHubCore
import XCTest

/// Card numbers wherever a request carries them, decoded as PayHub decodes them.
final class CardDataScannerTests: XCTestCase {
    private func json(_ text: String) -> Bool { CardDataScanner.jsonContainsCardNumber(Array(text.utf8)) }

    func testAJSONEscapedCardNumberIsFound() {
        for body in [
            #"{"description": "\u0034242424242424242"}"#,
            #"{"description": "\u0034\u0032\u0034\u0032\u0034\u0032\u0034\u0032\u0034\u0032\u0034\u0032\u0034\u0032\u0034\u0032"}"#,
            #"{"description": "4242\u00204242\u00204242\u00204242"}"#,
            #"{"description": "4242\u002d4242\u002D4242-4242"}"#,
            #"{"description": "\uFF14\uFF12\uFF14\uFF12\uFF14\uFF12\uFF14\uFF12\uFF14\uFF12\uFF14\uFF12\uFF14\uFF12\uFF14\uFF12"}"#,
        ] {
            XCTAssertTrue(json(body), body)
        }
    }

    func testCardNumbersAreFoundInEveryKindOfJSONField() {
        for body in [
            #"{"description": "4242424242424242"}"#, // a string value
            #"{"4242424242424242": "x"}"#, // a key
            #"{"metadata": {"4242 4242 4242 4242": "x"}}"#, // a nested key
            #"{"amount": 4242424242424242}"#, // a 16-digit number
            #"{"amount": -4242424242424242}"#,
            #"{"amount": 4.242424242424242e15}"#, // the same number with an exponent
            #"{"amount": 42424242424242420E-1}"#,
            #"{"amount": 0.4242424242424242}"#, // digits after the point
            #"{"a": [1, [2, {"b": ["x", "4242424242424242"]}]]}"#, // nested arrays and objects
            #"[[[[{"c": {"d": [4242424242424242]}}]]]]"#,
            #"{"description": "order 1001 4242 4242 4242 4242 12/25"}"#,
            "{\"description\": \"4242\u{00A0}4242\u{00A0}4242\u{00A0}4242\"}", // raw UTF-8 no-break spaces
            #"{"description": "unterminated 4242424242424242"#,
            "4242 4242 4242 4242", // not JSON at all: read as text
        ] {
            XCTAssertTrue(json(body), body)
        }
    }

    func testOrdinaryJSONIsNotRefused() {
        for body in [
            #"{"amount": 1250, "currency": "EUR", "created": 1800000000, "metadata": {"order": "1001"}}"#,
            #"{"amount": 99999999, "description": "caf\u00e9 \ud83d\ude00", "n": 1.8e9, "m": 1800000000000}"#,
            #"{"amounts": [4242, 4242, 4242, 4242]}"#, // separate values are not one number
            #"{"a": "4242", "b": "4242", "c": "4242", "d": "4242"}"#,
            #"{"description": "\u0034242"}"#, "", "{}", "[]", #"{"x": "\"4242\" \"4242\" \"4242\" \"4242\""}"#,
            #"{"e": 4.242424242424242e-15}"#,
        ] {
            XCTAssertFalse(json(body), body)
        }
    }

    func testFormBodiesQueryStringsAndPercentEncodingAreDecoded() {
        for text in [
            "card=4242424242424242", "card=4242+4242+4242+4242", "card=4242%204242%204242%204242",
            "card=%34%32%34%32%34%32%34%32%34%32%34%32%34%32%34%32", "card=4242%2D4242%2D4242%2D4242", "a=1&card=4242-4242-4242-4242&b=2",
            "%34242424242424242=key", "/v1/payment_intents/4242424242424242", "/v1/payment_intents/%34242424242424242",
            "card=%EF%BC%94%EF%BC%92%EF%BC%94%EF%BC%92%EF%BC%94%EF%BC%92%EF%BC%94%EF%BC%92%EF%BC%94%EF%BC%92%EF%BC%94%EF%BC%92%EF%BC%94%EF%BC%92%EF%BC%94%EF%BC%92",
        ] {
            XCTAssertTrue(CardDataScanner.formContainsCardNumber(text), text)
        }
        for text in [
            "limit=10&starting_after=pi_abc", "created%5Bgte%5D=1800000000", "status=succeeded&limit=100", "a=4242&b=4242&c=4242&d=4242",
            "/v1/payment_intents/pi_4242424242/payments", "%ZZ4242", "",
        ] {
            XCTAssertFalse(CardDataScanner.formContainsCardNumber(text), text)
        }
    }

    /// The guard runs on every request: a typical payment body is scanned in microseconds (about 2 µs in a
    /// release build, 100 µs in a debug build). The bound only catches a scan gone quadratic: it leaves room for a
    /// debug build on a busy shared machine, where CI runs.
    func testAJSONBodyIsScannedFastEnoughForEveryRequest() {
        let body = Array("""
            {"amount": 1250, "currency": "EUR", "purchase_reference": "order-1001", "description": "Two coffees and a cake", \
            "customer": {"name": "Ada Lovelace", "email": "ada@example.com", "phone": "+393331234567", "locale": "it"}, \
            "metadata": {"order": "1001", "cart": "c_8f3a2b", "placed": "2026-12-01 09:10:25"}, \
            "payment_method": {"type": "card", "token": "tok_visa"}, "return_url": "https://shop.example/done?order=1001"}
            """.utf8)
        let rounds = 5_000
        let started = ContinuousClock.now
        for _ in 0..<rounds { XCTAssertFalse(CardDataScanner.jsonContainsCardNumber(body)) }
        let perBody = (ContinuousClock.now - started) / rounds
        XCTAssertLessThan(perBody, .milliseconds(1), "\(perBody) per body")
    }
}
