import PayHubConnectors
import PayHubCore
import XCTest

final class StripeCredentialsTests: XCTestCase {
    private let connector = StripeConnector(transport: StubStripeTransport(json: []))

    func testValidCredentials() throws {
        for values in [
            ["secret_key": "sk_test_abc"],
            ["secret_key": "sk_live_abc", "webhook_secret": "whsec_abc"],
            ["secret_key": "rk_test_abc", "base_url": "https://stripe-proxy.example/api/"],
            ["secret_key": "sk_test_abc", "base_url": "http://127.0.0.1:8420", "emulator": "localstripe"],
            ["secret_key": "sk_test_abc", "base_url": "http://localstripe:8420", "emulator": "localstripe"],
            ["secret_key": "sk_test_abc", "base_url": "http://localhost:12111", "webhook_secret": ""],
        ] {
            XCTAssertNoThrow(try connector.validateCredentials(ProviderCredentials(values)), "\(values)")
        }
    }

    func testInvalidCredentials() {
        let cases: [[String: String]] = [
            [:],
            ["secret_key": ""],
            ["secret_key": "pk_test_abc"],
            ["secret_key": "sk_test_"],
            ["secret_key": "sk_test_abc def"],
            ["secret_key": "sk_test_abc", "webhook_secret": "secret"],
            ["secret_key": "sk_test_abc", "base_url": "ftp://api.stripe.com"],
            ["secret_key": "sk_test_abc", "base_url": "not a url"],
            ["secret_key": "sk_test_abc", "base_url": "http://api.example.com"],
            ["secret_key": "sk_test_abc", "emulator": "stripe-mock"],
        ]
        for values in cases {
            XCTAssertThrowsError(try connector.validateCredentials(ProviderCredentials(values)), "\(values)") { error in
                guard case ConnectorError.invalidCredentials(let why) = error else { return XCTFail("\(error)") }
                XCTAssertFalse(why.contains("sk_test_abc"), "a message must never repeat the key")
            }
        }
    }

    func testKeysMustMatchTheAccountsMode() async throws {
        let stub = StubStripeTransport(json: [])
        let connector = StripeConnector(transport: stub)
        await XCTAssertThrowsConnectorError(.invalidCredentials("a Stripe test key cannot serve a live-mode account")) {
            try await connector.retrievePayment(reference: "pi_1", context: StripeTest.context(livemode: true))
        }
        await XCTAssertThrowsConnectorError(.invalidCredentials("a Stripe live key cannot serve a test-mode account")) {
            try await connector.retrievePayment(reference: "pi_1", context: StripeTest.context(["secret_key": "sk_live_x"]))
        }
        let requests = await stub.requests
        XCTAssertTrue(requests.isEmpty)
    }
}
