import Fluent
import Foundation
import PayHubConnectors
import PayHubCore
@testable import PayHubServer
import XCTVapor

/// Webhooks providers send: verified with the account's secret; one that fails verification changes nothing.
final class ProviderWebhookTests: XCTestCase {
    func testOnlyVerifiedWebhooksChangeAnything() async throws {
        try await withEachDatabase { hub in
            let processing = try await hub.pay(token: "tok_processing")
            let attempt = try XCTUnwrap((processing["payments"] as? [[String: Any]])?.first)
            let reference = try XCTUnwrap(attempt["provider_reference"] as? String)
            let account = try XCTUnwrap(attempt["provider_account"] as? String)
            let path = "/v1/providers/sandbox/webhooks/\(account)"
            let event = ProviderWebhookEvent.payment(
                reference: reference, result: ConnectorPaymentResult(providerReference: reference, outcome: .succeeded))

            func post(_ webhook: IncomingWebhook) async throws -> TestHub.Reply {
                try await hub.request(
                    .POST, path, raw: String(decoding: webhook.body, as: UTF8.self), key: "",
                    headers: webhook.headers.map { ($0.key, $0.value) })
            }

            let forged = SandboxConnector().webhook(reporting: event, secret: "whsec_not_the_account_secret", now: hub.clock.now())
            let rejected = try await post(forged)
            XCTAssertEqual(rejected.status, .badRequest)
            XCTAssertEqual(rejected.errorCode, "webhook_invalid")
            var unsigned = forged
            unsigned.headers.removeValue(forKey: SandboxConnector.signatureHeader)
            let missing = try await post(unsigned)
            XCTAssertEqual(missing.status, .badRequest)
            let still = try await hub.request(.GET, "/v1/payment_intents/\(processing.id)")
            XCTAssertEqual(still["status"] as? String, "processing", "a webhook that fails verification changes nothing")

            let found = try await ProviderAccountModel.find(account, on: hub.app.db)
            let stored = try XCTUnwrap(found)
            let secret = try hub.context.connectorContext(for: stored.record()).credentials.required("webhook_secret")
            let stale = SandboxConnector().webhook(reporting: event, secret: secret, now: hub.clock.now().addingTimeInterval(-600))
            let replayed = try await post(stale)
            XCTAssertEqual(replayed.status, .badRequest, "an old signature is refused")

            let genuine = SandboxConnector().webhook(reporting: event, secret: secret, now: hub.clock.now())
            let accepted = try await post(genuine)
            XCTAssertEqual(accepted["received"] as? String, "applied", accepted.text)
            let again = try await post(genuine)
            XCTAssertEqual(again["received"] as? String, "applied")
            let done = try await hub.request(.GET, "/v1/payment_intents/\(processing.id)")
            XCTAssertEqual(done["status"] as? String, "succeeded")
            let succeededEvents = try await hub.storedEvents(objectID: processing.id, type: "payment_intent.succeeded").count
            XCTAssertEqual(succeededEvents, 1, "a duplicate webhook records nothing twice")

            let unknownAccount = try await hub.request(.POST, "/v1/providers/sandbox/webhooks/pa_nope", raw: "{}", key: "")
            XCTAssertEqual(unknownAccount.status, .notFound)
        }
    }

    /// A provider's signed event is never refused for a digit run that looks like a card number (an id, a
    /// reference, a phone number in a description): PayHub keeps only what it parses from it, and refusing it would
    /// lose the payment's outcome every time the provider retries.
    func testAVerifiedWebhookIsNotRefusedForDigitsThatLookLikeACardNumber() async throws {
        try await withEachDatabase { hub in
            let processing = try await hub.pay(token: "tok_processing")
            let attempt = try XCTUnwrap((processing["payments"] as? [[String: Any]])?.first)
            let reference = try XCTUnwrap(attempt["provider_reference"] as? String)
            let account = try XCTUnwrap(attempt["provider_account"] as? String)
            let found = try await ProviderAccountModel.find(account, on: hub.app.db)
            let secret = try hub.context.connectorContext(for: try XCTUnwrap(found).record()).credentials.required("webhook_secret")
            let event = ProviderWebhookEvent.payment(
                reference: reference, result: ConnectorPaymentResult(providerReference: reference, outcome: .succeeded))
            let genuine = SandboxConnector().webhook(reporting: event, secret: secret, now: hub.clock.now())
            var fields = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(genuine.body)) as? [String: Any])
            fields["description"] = "Order 4242 4242 4242 4242"
            let body = Array(try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]))
            XCTAssertTrue(CardDataScanner.jsonContainsCardNumber(body), "the body looks like it carries a card number")
            let signature = TimestampedSignature.sign(body: body, secret: secret, timestamp: Int(hub.clock.now().timeIntervalSince1970))
            let reply = try await hub.request(
                .POST, "/v1/providers/sandbox/webhooks/\(account)", raw: String(decoding: body, as: UTF8.self), key: "",
                headers: [(SandboxConnector.signatureHeader, signature), ("content-type", "application/json")])
            XCTAssertEqual(reply["received"] as? String, "applied", reply.text)
            let done = try await hub.request(.GET, "/v1/payment_intents/\(processing.id)")
            XCTAssertEqual(done["status"] as? String, "succeeded")
        }
    }
}
