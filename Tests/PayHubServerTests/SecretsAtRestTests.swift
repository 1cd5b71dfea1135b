import Fluent
import Foundation
@testable import PayHubServer
import XCTVapor

/// "Sealed at rest" holds for every table: after a full flow, no secret PayHub issued or was given can be found
/// anywhere in the database, nor in the SQLite files' raw bytes (WAL included).
final class SecretsAtRestTests: XCTestCase {
    func testNoSecretPayHubIssuedIsStoredInPlainTextAnywhere() async throws {
        try await withEachDatabase { hub in
            var secrets: [(what: String, value: String)] = []
            // Merchant creation: four keys, and the sandbox account's webhook secret.
            let other = try await MerchantService(context: hub.context, db: hub.app.db).create(name: "Second Shop")
            for merchant in [hub.merchant, other] {
                secrets += [
                    ("secret key (test)", merchant.secretKeyTest), ("secret key (live)", merchant.secretKeyLive),
                    ("publishable key (test)", merchant.publishableKeyTest), ("publishable key (live)", merchant.publishableKeyLive),
                ]
                let found = try await ProviderAccountModel.find(merchant.sandboxProviderAccount, on: hub.app.db)
                let sandbox = try XCTUnwrap(found)
                let credentials = try XCTUnwrap(JSONText.decode([String: String].self, from: try hub.context.secrets.open(sandbox.credentialsSealed)))
                secrets.append(("sandbox webhook secret", try XCTUnwrap(credentials["webhook_secret"])))
            }

            // Webhook endpoints: created, then rotated, both under an Idempotency-Key so their answers are stored.
            let endpoint = try await hub.request(
                .POST, "/v1/webhook_endpoints", json: ["url": "http://127.0.0.1:9/hook", "enabled_events": ["*"]],
                headers: [("Idempotency-Key", "endpoint-1")])
            XCTAssertEqual(endpoint.status, .created, endpoint.text)
            secrets.append(("webhook secret", try XCTUnwrap(endpoint["secret"] as? String)))
            let rotated = try await hub.request(
                .POST, "/v1/webhook_endpoints/\(endpoint.id)/rotate_secret", headers: [("Idempotency-Key", "rotate-1")])
            XCTAssertEqual(rotated.status, .ok, rotated.text)
            secrets.append(("rotated webhook secret", try XCTUnwrap(rotated["secret"] as? String)))
            let replayedRotation = try await hub.request(
                .POST, "/v1/webhook_endpoints/\(endpoint.id)/rotate_secret", headers: [("Idempotency-Key", "rotate-1")])
            XCTAssertEqual(replayedRotation.headers.first(name: "Idempotent-Replayed"), "true")
            XCTAssertEqual(replayedRotation["secret"] as? String, rotated["secret"] as? String, "a sealed answer replays as it was")

            // An intent with its client token, a payment with the token, a refund.
            let intent = try await hub.request(
                .POST, "/v1/payment_intents", json: ["amount": 1000, "currency": "EUR"], headers: [("Idempotency-Key", "intent-1")])
            let token = try XCTUnwrap(intent["client_token"] as? String)
            secrets.append(("client token", token))
            let replayedIntent = try await hub.request(
                .POST, "/v1/payment_intents", json: ["amount": 1000, "currency": "EUR"], headers: [("Idempotency-Key", "intent-1")])
            XCTAssertEqual(replayedIntent["client_token"] as? String, token)
            let paid = try await hub.request(
                .POST, "/v1/payment_intents/\(intent.id)/payments", json: ["payment_method": ["type": "card", "token": "tok_visa"]],
                key: token, headers: [("Idempotency-Key", "pay-1")])
            XCTAssertEqual(paid["status"] as? String, "succeeded", paid.text)
            let refund = try await hub.request(
                .POST, "/v1/refunds", json: ["payment_intent": intent.id, "amount": 400], headers: [("Idempotency-Key", "refund-1")])
            XCTAssertEqual(refund.status, .created, refund.text)
            hub.clock.advance(3)
            try await hub.simulator.runOnce()
            let live = try await hub.request(.GET, "/v1/payment_intents", key: hub.merchant.secretKeyLive)
            XCTAssertEqual(live.status, .ok)

            // A provider account with credentials, and the webhook deliveries.
            let providerSecrets = ["webhook_secret": "whsec_provider_" + UUID().uuidString, "api_key": "prov_key_" + UUID().uuidString]
            _ = try await ProviderAccountService(context: hub.context, db: hub.app.db).add(
                merchantID: hub.merchant.id, provider: "sandbox", livemode: false, name: "Second sandbox", credentials: providerSecrets)
            secrets += providerSecrets.map { ("provider credential \($0.key)", $0.value) }
            let delivered = try await hub.deliveryWorker.runOnce()
            XCTAssertGreaterThan(delivered, 0)
            let deliveries = try await hub.request(.GET, "/v1/events?limit=100")
            XCTAssertEqual(deliveries.status, .ok)

            let cells = try await DatabaseDump.cells(of: hub)
            XCTAssertGreaterThan(cells.count, 100, "the dump read the database")
            XCTAssertFalse(DatabaseDump.places(of: "evt_", in: cells).isEmpty, "the dump sees stored values")
            for (what, value) in secrets {
                XCTAssertEqual(DatabaseDump.places(of: value, in: cells), [], "[\(hub.database)] \(what) is stored in plain text")
            }
            let files = try DatabaseDump.sqliteFiles(of: hub)
            if case .sqlite = hub.database {
                XCTAssertTrue(files.contains { $0.name.hasSuffix("-wal") }, "the WAL is read: \(files.map(\.name))")
                XCTAssertTrue(files.contains { $0.bytes.contains("evt_") }, "the raw files hold what was stored")
            }
            for file in files {
                for (what, value) in secrets {
                    XCTAssertFalse(file.bytes.contains(value), "[\(hub.database)] \(what) is in \(file.name)")
                }
            }
        }
    }
}
