import Foundation
import PayHubCore
@testable import PayHubServer
import XCTVapor

/// Issue 6, 1.6: concurrent secret rotations lost a secret; the 16-endpoint limit was counted outside the transaction.
final class WebhookEndpointTests: XCTestCase {
    /// The test merchant's endpoint as stored.
    private func stored(_ id: String, hub: TestHub) async throws -> WebhookEndpointRecord {
        let found = try await WebhookEndpointRepository().find(
            try WebhookEndpointID(parsing: id), in: TenantScope(merchantID: hub.merchant.id, livemode: false), on: hub.app.db.sql)
        return try XCTUnwrap(found)
    }

    func testConcurrentSecretRotationsNeverLoseAReturnedSecret() async throws {
        try await withEachDatabase { hub in
            let created = try await hub.request(.POST, "/v1/webhook_endpoints", json: ["url": "https://hooks.example.com/a"])
            let id = created.id
            let original = try XCTUnwrap(created["secret"] as? String)
            let rotations = 8
            let returned = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<rotations {
                    group.addTask {
                        let reply = try await hub.request(.POST, "/v1/webhook_endpoints/\(id)/rotate_secret")
                        return reply.status == .ok ? reply["secret"] as? String : nil
                    }
                }
                var secrets: [String] = []
                for try await secret in group { if let secret { secrets.append(secret) } }
                return secrets
            }
            XCTAssertEqual(returned.count, rotations, "every rotation reported success")
            XCTAssertEqual(Set(returned).count, rotations)
            let endpoint = try await stored(id, hub: hub)
            let current = try hub.context.secrets.open(endpoint.secrets.current)
            let previous = try hub.context.secrets.open(try XCTUnwrap(endpoint.secrets.previous))
            // Serialised rotations: the last one's secret is current and the one before it previous. Both were returned
            // by a rotation that succeeded; the original secret was superseded long ago.
            XCTAssertTrue(returned.contains(current), "the current secret is one a rotation returned")
            XCTAssertTrue(returned.contains(previous), "the previous secret is one a rotation returned, not a lost one")
            XCTAssertNotEqual(current, previous)
            XCTAssertNotEqual(previous, original)
        }
    }

    func testConcurrentEndpointCreationsNeverExceedTheLimit() async throws {
        try await withEachDatabase { hub in
            let statuses = try await withThrowingTaskGroup(of: (HTTPResponseStatus, String?).self) { group in
                for index in 0..<24 {
                    group.addTask {
                        let reply = try await hub.request(.POST, "/v1/webhook_endpoints", json: ["url": "https://hooks.example.com/\(index)"])
                        return (reply.status, reply.errorCode)
                    }
                }
                var all: [(HTTPResponseStatus, String?)] = []
                for try await status in group { all.append(status) }
                return all
            }
            XCTAssertEqual(statuses.filter { $0.0 == .created }.count, WebhookEndpointService.endpointLimit)
            XCTAssertEqual(statuses.filter { $0.1 == "webhook_endpoint_limit" }.count, 24 - WebhookEndpointService.endpointLimit)
            let scope = TenantScope(merchantID: hub.merchant.id, livemode: false)
            let stored = try await WebhookEndpointRepository().countOfMerchant(in: scope, on: hub.app.db.sql)
            XCTAssertEqual(stored, WebhookEndpointService.endpointLimit)
        }
    }

    func testAnotherMerchantsWebhookEndpointIsNotFoundOnRotateAndDelete() async throws {
        try await withEachDatabase { hub in
            let created = try await hub.request(.POST, "/v1/webhook_endpoints", json: ["url": "https://hooks.example.com/a"])
            let other = try await MerchantService(context: hub.context, db: hub.app.db).create(name: "Other Shop")
            for key in [other.secretKeyTest, hub.merchant.secretKeyLive] {
                let rotate = try await hub.request(.POST, "/v1/webhook_endpoints/\(created.id)/rotate_secret", key: key)
                XCTAssertEqual(rotate.status, .notFound, rotate.text)
                let delete = try await hub.request(.DELETE, "/v1/webhook_endpoints/\(created.id)", key: key)
                XCTAssertEqual(delete.status, .notFound, delete.text)
                let retrieve = try await hub.request(.GET, "/v1/webhook_endpoints/\(created.id)", key: key)
                XCTAssertEqual(retrieve.status, .notFound, retrieve.text)
            }
            let endpoint = try await stored(created.id, hub: hub)
            XCTAssertNil(endpoint.deletedAt)
            XCTAssertNil(endpoint.secrets.previous, "nobody rotated it")
            XCTAssertEqual(try hub.context.secrets.open(endpoint.secrets.current), created["secret"] as? String)
        }
    }
}
