import Fluent
import Foundation
import PayHubConnectors
@testable import PayHubServer
import XCTVapor

/// Every route that takes an id, asked by another merchant (and by the same merchant in the other mode): the
/// object is a 404, and nothing about it changes.
final class TenantIsolationTests: XCTestCase {
    /// One merchant's objects of every kind: a paid intent with a refund, a manual-capture intent waiting for
    /// capture, an OTP attempt, an event with deliveries, and a webhook endpoint.
    struct Objects {
        var paid: String
        var authorised: String
        var otpIntent: String
        var otpAttempt: String
        var refund: String
        var event: String
        var endpoint: String
        var sandboxAccount: String
    }

    func makeObjects(_ hub: TestHub) async throws -> Objects {
        let endpoint = try await hub.request(.POST, "/v1/webhook_endpoints", json: ["url": "https://hooks.example.com/a", "enabled_events": ["*"]])
        let paid = try await hub.pay()
        let refund = try await hub.request(.POST, "/v1/refunds", json: ["payment_intent": paid.id, "amount": 100])
        let authorised = try await hub.pay(capture: "manual")
        let otpIntent = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 500, "currency": "EUR"])
        let otp = try await hub.request(
            .POST, "/v1/payment_intents/\(otpIntent.id)/payments",
            json: ["payment_method": ["type": "mobile_money", "msisdn": "+2250700000001", "country": "CI"]])
        let attempts = otp["payments"] as? [[String: Any]]
        let events = try await hub.request(.GET, "/v1/events?object_id=\(paid.id)")
        try await hub.deliveryWorker.runOnce()
        return Objects(
            paid: paid.id, authorised: authorised.id, otpIntent: otpIntent.id,
            otpAttempt: try XCTUnwrap(attempts?.first?["id"] as? String), refund: refund.id,
            event: try XCTUnwrap((events["data"] as? [[String: Any]])?.first?["id"] as? String), endpoint: endpoint.id,
            sandboxAccount: hub.merchant.sandboxProviderAccount)
    }

    /// What the owner sees of its objects, to compare before and after the intruder's requests.
    func snapshot(_ hub: TestHub, _ objects: Objects) async throws -> [String] {
        var seen: [String] = []
        for path in [
            "/v1/payment_intents/\(objects.paid)", "/v1/payment_intents/\(objects.authorised)", "/v1/payment_intents/\(objects.otpIntent)",
            "/v1/refunds/\(objects.refund)", "/v1/events/\(objects.event)", "/v1/webhook_endpoints/\(objects.endpoint)",
        ] {
            let reply = try await hub.request(.GET, path)
            XCTAssertEqual(reply.status, .ok, path)
            seen.append(reply.text)
        }
        let deliveries = try await hub.request(.GET, "/v1/events/\(objects.event)/deliveries")
        seen.append(deliveries.text)
        return seen
    }

    func testAnotherMerchantsIdIsNotFoundOnEveryRouteAndChangesNothing() async throws {
        try await withEachDatabase { hub in
            let objects = try await makeObjects(hub)
            let before = try await snapshot(hub, objects)
            let jobsBefore = try await hub.scheduler.list()
            let other = try await MerchantService(context: hub.context, db: hub.app.db).create(name: "Other Shop")
            let ownEndpoint = try await hub.request(
                .POST, "/v1/webhook_endpoints", json: ["url": "https://hooks.example.com/b"], key: other.secretKeyTest)
            XCTAssertEqual(ownEndpoint.status, .created)

            let requests: [(HTTPMethod, String, [String: Any]?)] = [
                (.GET, "/v1/payment_intents/\(objects.paid)", nil),
                (.POST, "/v1/payment_intents/\(objects.paid)/payments", ["payment_method": ["type": "card", "token": "tok_visa"]]),
                (.POST, "/v1/payment_intents/\(objects.otpIntent)/payments/\(objects.otpAttempt)/authenticate", ["otp": "1234"]),
                (.POST, "/v1/payment_intents/\(objects.authorised)/capture", [:]),
                (.POST, "/v1/payment_intents/\(objects.authorised)/cancel", [:]),
                (.POST, "/v1/payment_intents/\(objects.authorised)/sync", [:]),
                (.POST, "/v1/refunds", ["payment_intent": objects.paid, "amount": 100]),
                (.GET, "/v1/refunds/\(objects.refund)", nil),
                (.GET, "/v1/events/\(objects.event)", nil),
                (.GET, "/v1/events/\(objects.event)/deliveries", nil),
                (.POST, "/v1/events/\(objects.event)/redeliver", [:]),
                (.GET, "/v1/webhook_endpoints/\(objects.endpoint)", nil),
                (.POST, "/v1/webhook_endpoints/\(objects.endpoint)/rotate_secret", [:]),
                (.DELETE, "/v1/webhook_endpoints/\(objects.endpoint)", nil),
            ]
            for key in [other.secretKeyTest, hub.merchant.secretKeyLive] {
                for (method, path, body) in requests {
                    let reply = try await hub.request(method, path, json: body, key: key)
                    XCTAssertEqual(reply.status, .notFound, "\(method) \(path): \(reply.text)")
                    XCTAssertEqual(reply.errorType, "invalid_request_error", "\(method) \(path)")
                }
                for (path, field) in [
                    ("/v1/refunds?payment_intent=\(objects.paid)", "data"), ("/v1/events?object_id=\(objects.paid)", "data"),
                    ("/v1/payment_intents", "data"), ("/v1/refunds", "data"), ("/v1/webhook_endpoints", "data"),
                ] {
                    let list = try await hub.request(.GET, path, key: key)
                    let ids = ((list[field] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
                    XCTAssertTrue(Set(ids).isDisjoint(with: [objects.paid, objects.authorised, objects.otpIntent, objects.refund, objects.event, objects.endpoint]), path)
                }
            }
            // Their own event, redelivered to the first merchant's endpoint: not found either.
            let theirIntent = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 100, "currency": "EUR"], key: other.secretKeyTest)
            let theirEvents = try await hub.request(.GET, "/v1/events?object_id=\(theirIntent.id)", key: other.secretKeyTest)
            let theirEvent = try XCTUnwrap((theirEvents["data"] as? [[String: Any]])?.first?["id"] as? String)
            let crossed = try await hub.request(
                .POST, "/v1/events/\(theirEvent)/redeliver", json: ["webhook_endpoint": objects.endpoint], key: other.secretKeyTest)
            XCTAssertEqual(crossed.status, .notFound, crossed.text)

            // A provider webhook signed for the other merchant's account, naming the first merchant's payment.
            let attemptRow = try await PaymentAttemptModel.query(on: hub.app.db).filter(\.$paymentIntentID == objects.authorised).first()
            let reference = try XCTUnwrap(attemptRow?.providerReference)
            let foundAccount = try await ProviderAccountModel.find(other.sandboxProviderAccount, on: hub.app.db)
            let theirAccount = try XCTUnwrap(foundAccount)
            let secret = try XCTUnwrap(try hub.context.connectorContext(for: theirAccount.record()).credentials["webhook_secret"])
            let sandbox = SandboxConnector()
            let webhook = sandbox.webhook(
                reporting: .payment(reference: reference, result: ConnectorPaymentResult(providerReference: reference, outcome: .canceled)),
                secret: secret, now: hub.clock.now())
            var headers = HTTPHeaders(webhook.headers.map { ($0.key, $0.value) })
            headers.replaceOrAdd(name: .contentType, value: "application/json")
            let toTheirs = try await hub.app.testable().performTest(request: TestingHTTPRequest(
                method: .POST, url: URI(path: "/v1/providers/sandbox/webhooks/\(other.sandboxProviderAccount)"), headers: headers,
                body: ByteBuffer(bytes: webhook.body)))
            XCTAssertEqual(toTheirs.status, .ok, "accepted for their own account")
            XCTAssertTrue(toTheirs.body.string.contains("unknown_object"), "but it finds nothing of the first merchant's: \(toTheirs.body.string)")
            let toOurs = try await hub.app.testable().performTest(request: TestingHTTPRequest(
                method: .POST, url: URI(path: "/v1/providers/sandbox/webhooks/\(objects.sandboxAccount)"), headers: headers,
                body: ByteBuffer(bytes: webhook.body)))
            XCTAssertEqual(toOurs.status, .badRequest, "their secret does not sign for our account")

            let after = try await snapshot(hub, objects)
            XCTAssertEqual(after, before, "nothing of the first merchant's changed")
            let sandboxJobs = try await hub.scheduler.list().filter { $0.kind == JobKind.sandboxSettlement.rawValue }
            XCTAssertEqual(sandboxJobs.count, jobsBefore.filter { $0.kind == JobKind.sandboxSettlement.rawValue }.count, "no provider work was scheduled")
        }
    }
}
