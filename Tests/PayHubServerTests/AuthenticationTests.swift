import AsyncHTTPClient
import Fluent
import Foundation
import PayHubConnectors
@testable import PayHubServer
import XCTVapor

/// Issue 6, 2.6 (authentication and metrics) and 2.5 (the sandbox as a live provider).
final class AuthenticationTests: XCTestCase {
    func authenticate(_ auth: AuthService, _ key: String, hub: TestHub) async throws -> Principal? {
        do {
            return try await auth.authenticate(bearer: key, context: hub.context, db: hub.app.db.sql)
        } catch let error as ServiceError where error.kind == .unauthenticated {
            return nil
        }
    }

    func testRandomKeysAreNotCachedAndCannotFlushValidKeysFromTheAuthenticationCache() async throws {
        try await withEachDatabase { hub in
            let other = try await MerchantService(context: hub.context, db: hub.app.db).create(name: "Other Shop")
            let auth = AuthService(cacheCapacity: 2)
            let first = try await authenticate(auth, hub.secretKey, hub: hub)
            XCTAssertEqual(first?.merchantID, hub.merchant.id)
            for index in 0..<50 {
                let unknown = try await authenticate(auth, "sk_test_random\(index)", hub: hub)
                XCTAssertNil(unknown)
            }
            XCTAssertEqual(auth.cachedKeys, 1, "unknown keys are not cached")
            XCTAssertTrue(auth.isCached(hub.secretKey), "random keys did not push the valid key out")
            // At capacity, one entry makes room for the next, never the whole cache.
            _ = try await authenticate(auth, other.secretKeyTest, hub: hub)
            _ = try await authenticate(auth, other.secretKeyLive, hub: hub)
            XCTAssertEqual(auth.cachedKeys, 2)
            XCTAssertTrue(auth.isCached(other.secretKeyLive))
        }
    }

    func testFailedAuthenticationIsRateLimitedPerClientAddress() async throws {
        try await withEachDatabase { hub in
            let burst = hub.context.config.authFailureBurst
            XCTAssertEqual(burst, 20, "the default")
            var statuses: [HTTPResponseStatus] = []
            for index in 0..<burst + 5 {
                statuses.append(try await hub.request(.GET, "/v1/events", key: "sk_test_guess\(index)").status)
            }
            XCTAssertEqual(statuses.prefix(burst).filter { $0 == .unauthorized }.count, burst)
            XCTAssertEqual(statuses.suffix(5).filter { $0 == .tooManyRequests }.count, 5)
            let limited = try await hub.request(.GET, "/v1/events", key: "sk_test_guess_more")
            XCTAssertEqual(limited.status, .tooManyRequests)
            XCTAssertEqual(limited.errorCode, "authentication_rate_limited")
            XCTAssertNotNil(limited.headers.first(name: .retryAfter))
            let valid = try await hub.request(.GET, "/v1/events")
            XCTAssertEqual(valid.status, .ok, "a valid key still works")
            let anonymous = try await hub.request(.GET, "/v1/events", key: "")
            XCTAssertEqual(anonymous.status, .unauthorized, "no credential guesses nothing: a plain 401")
            hub.clock.advance(5)
            let later = try await hub.request(.GET, "/v1/events", key: "sk_test_guess_later")
            XCTAssertEqual(later.status, .unauthorized, "the allowance refills")
        }
    }

    func testMetricsAreNotServedOnTheAPIPortWithoutATokenOrAddress() async throws {
        try await withEachDatabase { hub in
            let metrics = try await hub.request(.GET, "/metrics", key: "")
            XCTAssertEqual(metrics.status, .notFound)
            XCTAssertFalse(metrics.text.contains("payhub_http_requests_total"))
        }
    }

    func testMetricsOnTheAPIPortNeedTheMetricsToken() async throws {
        let token = "metrics-token-0123456789abcdef"
        try await withEachDatabase(environment: ["PAYHUB_METRICS_TOKEN": token]) { hub in
            _ = try await hub.pay()
            for key in ["", "wrong-token", hub.secretKey, String(token.dropLast())] {
                let refused = try await hub.request(.GET, "/metrics", key: key)
                XCTAssertEqual(refused.status, .notFound, key)
            }
            let metrics = try await hub.request(.GET, "/metrics", key: token)
            XCTAssertEqual(metrics.status, .ok)
            XCTAssertTrue(metrics.text.contains("payhub_payments_total{"), metrics.text)
        }
        XCTAssertThrowsError(try PayHubConfig.load(environment: [
            "PAYHUB_MASTER_KEY": Data(repeating: 7, count: 32).base64EncodedString(), "PAYHUB_METRICS_TOKEN": "short",
        ]))
    }

    func testMetricsAreServedOnTheSeparateMetricsAddress() async throws {
        let port = try Self.freePort()
        try await withEachDatabase(environment: ["PAYHUB_METRICS_ADDRESS": "127.0.0.1:\(port)"]) { hub in
            try await hub.app.asyncBoot()
            _ = try await hub.pay()
            let onAPIPort = try await hub.request(.GET, "/metrics", key: "")
            XCTAssertEqual(onAPIPort.status, .notFound)
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(10))
            XCTAssertEqual(response.status, .ok)
            let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
            XCTAssertTrue(body.contains("payhub_http_requests_total"), body)
            let other = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/events"), timeout: .seconds(10))
            XCTAssertEqual(other.status, .notFound, "the metrics address serves nothing else")
        }
        for bad in ["9090", "127.0.0.1:", "127.0.0.1:99999", ":9090"] {
            XCTAssertThrowsError(try PayHubConfig.load(environment: [
                "PAYHUB_MASTER_KEY": Data(repeating: 7, count: 32).base64EncodedString(), "PAYHUB_METRICS_ADDRESS": bad,
            ]), bad)
        }
    }

    func testTheSandboxCannotBeAddedAsALiveProvider() async throws {
        try await withEachDatabase { hub in
            let service = ProviderAccountService(context: hub.context, db: hub.app.db)
            do {
                _ = try await service.add(
                    merchantID: hub.merchant.id, provider: SandboxConnector.name, livemode: true, name: nil,
                    credentials: ["webhook_secret": "whsec_test"])
                XCTFail("the sandbox became a live provider")
            } catch let error as ServiceError {
                XCTAssertEqual(error.code, "provider_test_only")
            }
            let live = try await ProviderAccountModel.query(on: hub.app.db).filter(\.$livemode == true).count()
            XCTAssertEqual(live, 0)
            let test = try await service.add(
                merchantID: hub.merchant.id, provider: SandboxConnector.name, livemode: false, name: "Second sandbox",
                credentials: ["webhook_secret": "whsec_test"])
            XCTAssertFalse(test.livemode)
            XCTAssertFalse(SandboxConnector(settlementDelay: 1).capabilities.liveMode)
        }
    }

    /// A TCP port of 127.0.0.1 nobody listens on right now.
    static func freePort() throws -> Int {
        #if os(Linux)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw XCTSkip("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
