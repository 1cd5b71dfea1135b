import Foundation
import PayHubCore
@testable import PayHubServer
import SQLKit
import XCTVapor

/// Issue 6, section 3: the merchant, webhook endpoint and idempotency repositories read stored values strictly and
/// keep to the scope they are given.
final class AccountRepositoryTests: XCTestCase {
    private func scope(_ hub: TestHub, live: Bool = false) -> TenantScope {
        TenantScope(merchantID: hub.merchant.id, livemode: live)
    }

    private func createEndpoint(_ hub: TestHub, events: [String] = ["*"], key: String? = nil) async throws -> WebhookEndpointID {
        let created = try await hub.request(
            .POST, "/v1/webhook_endpoints", json: ["url": "https://hooks.example.com/\(events.count)", "enabled_events": events],
            key: key ?? hub.secretKey)
        XCTAssertEqual(created.status, .created, created.text)
        return try WebhookEndpointID(parsing: created.id)
    }

    func testAnUnknownStoredEndpointStatusIsAnErrorNeverADefault() async throws {
        try await withEachDatabase { hub in
            let id = try await createEndpoint(hub)
            let sql = hub.app.db.sql
            try await sql.raw("UPDATE webhook_endpoints SET status = 'paused' WHERE id = \(bind: id.rawValue)").run()
            do {
                _ = try await WebhookEndpointRepository().find(id, in: scope(hub), on: sql)
                XCTFail("a status PayHub does not know was read")
            } catch let error as StoredValueInvalid {
                XCTAssertEqual(error.column, "status")
            }
            let retrieve = try await hub.request(.GET, "/v1/webhook_endpoints/\(id)")
            XCTAssertEqual(retrieve.status, .internalServerError, "never shown as enabled or disabled")
        }
    }

    func testAnUnknownStoredKeyKindIsAnErrorNotASecretKey() async throws {
        try await withEachDatabase { hub in
            let sql = hub.app.db.sql
            let digest = KeyDigest.hex(hub.secretKey)
            try await sql.raw("UPDATE api_keys SET kind = 'admin' WHERE key_digest = \(bind: digest)").run()
            do {
                _ = try await MerchantRepository().key(digest: digest, for: .authentication, on: sql)
                XCTFail("a key kind PayHub does not know was read")
            } catch let error as StoredValueInvalid {
                XCTAssertEqual(error.column, "kind")
            }
            try await sql.raw("UPDATE api_keys SET kind = 'secret' WHERE key_digest = \(bind: digest)").run()
            let key = try await MerchantRepository().key(digest: digest, for: .authentication, on: sql)
            XCTAssertEqual(key?.kind, .secret)
            XCTAssertEqual(key?.scope, scope(hub))
        }
    }

    func testAnUnknownStoredIdempotencyStateIsAnError() async throws {
        try await withEachDatabase { hub in
            let sql = hub.app.db.sql
            let reply = try await hub.request(
                .POST, "/v1/payment_intents", json: ["amount": 100, "currency": "EUR"], headers: [("Idempotency-Key", "k-1")])
            XCTAssertEqual(reply.status, .created)
            try await sql.raw("UPDATE idempotency_keys SET state = 'half_done'").run()
            do {
                _ = try await IdempotencyRepository().find(key: "k-1", credentialScope: IdempotencyScope.secretKey, in: scope(hub), on: sql)
                XCTFail("a state PayHub does not know was read")
            } catch let error as StoredValueInvalid {
                XCTAssertEqual(error.column, "state")
            }
        }
    }

    func testSubscriptionsAreTheScopesEnabledEndpointsThatReceiveTheType() async throws {
        try await withEachDatabase { hub in
            let all = try await createEndpoint(hub)
            let refunds = try await createEndpoint(hub, events: ["refund.*"])
            let deleted = try await createEndpoint(hub, events: ["payment_intent.succeeded", "refund.succeeded"])
            _ = try await createEndpoint(hub, key: hub.merchant.secretKeyLive)
            let deletion = try await hub.request(.DELETE, "/v1/webhook_endpoints/\(deleted)")
            XCTAssertEqual(deletion.status, .ok)
            let repository = WebhookEndpointRepository()
            let sql = hub.app.db.sql
            let paid = try await repository.subscribed(to: .paymentIntentSucceeded, in: scope(hub), on: sql)
            XCTAssertEqual(paid.map(\.endpointID), [all])
            let refunded = try await repository.subscribed(to: .refundSucceeded, in: scope(hub), on: sql)
            XCTAssertEqual(Set(refunded.map(\.endpointID)), [all, refunds])
            let one = try await repository.subscribed(to: .refundSucceeded, in: scope(hub), only: refunds, on: sql)
            XCTAssertEqual(one.map(\.endpointID), [refunds])
            let otherMode = try await repository.subscribed(to: .refundSucceeded, in: scope(hub, live: true), only: refunds, on: sql)
            XCTAssertEqual(otherMode, [], "another mode's endpoint is never a subscription")
        }
    }

    func testTheDeliveryTargetSignsWithThePreviousSecretUntilItExpires() async throws {
        try await withEachDatabase { hub in
            let id = try await createEndpoint(hub)
            let rotated = try await hub.request(.POST, "/v1/webhook_endpoints/\(id)/rotate_secret")
            let secret = try XCTUnwrap(rotated["secret"] as? String)
            let repository = WebhookEndpointRepository()
            let sql = hub.app.db.sql
            let now = hub.clock.now()
            let during = try await repository.deliveryTarget(id, for: .deliveryWorker, opening: hub.context.secrets, at: now, on: sql)
            XCTAssertEqual(during?.signingSecrets.count, 2)
            XCTAssertEqual(during?.signingSecrets.first, secret)
            XCTAssertEqual(during?.scope, scope(hub))
            let after = try await repository.deliveryTarget(
                id, for: .deliveryWorker, opening: hub.context.secrets, at: now.addingTimeInterval(WebhookEndpointService.rotationOverlap + 1), on: sql)
            XCTAssertEqual(after?.signingSecrets, [secret])
            XCTAssertEqual(after?.isReceiving, true)
        }
    }
}
