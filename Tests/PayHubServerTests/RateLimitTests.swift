import Foundation
@testable import PayHubServer
import XCTVapor

/// Each API key's request rate limit (a token bucket: the configured rate per second, bursts of twice as much).
final class RateLimitTests: XCTestCase {
    private func statuses(_ count: Int, from hubs: [TestHub], key: String) async throws -> [HTTPResponseStatus] {
        var statuses: [HTTPResponseStatus] = []
        for index in 0..<count {
            statuses.append(try await hubs[index % hubs.count].request(.GET, "/v1/payment_intents", key: key).status)
        }
        return statuses
    }

    func testAKeyGetsItsBurstThenWaitsForTheRate() async throws {
        try await withEachDatabase(environment: ["PAYHUB_API_RATE_LIMIT": "5"]) { hub in
            let first = try await statuses(16, from: [hub], key: hub.secretKey)
            XCTAssertEqual(first.filter { $0 == .ok }.count, 10)
            XCTAssertEqual(first.filter { $0 == .tooManyRequests }.count, 6)
            let limited = try await hub.request(.GET, "/v1/payment_intents")
            XCTAssertEqual(limited.headers.first(name: "Retry-After"), "1")
            hub.clock.advance(1)
            let refilled = try await statuses(6, from: [hub], key: hub.secretKey)
            XCTAssertEqual(refilled.filter { $0 == .ok }.count, 5, "one second refills five tokens")
        }
    }

    /// N PayHub processes on one PostgreSQL allow what one would, not N times as much.
    func testProcessesOnOnePostgreSQLShareEachKeysLimit() async throws {
        guard case .some(.postgres(let adminURL)) = TestDatabase.all.last, TestDatabase.all.count == 2 else {
            throw XCTSkip("PAYHUB_TEST_POSTGRES_URL not set: the shared PostgreSQL rate-limit test is skipped")
        }
        let environment = ["PAYHUB_API_RATE_LIMIT": "5"]
        let first = try await TestHub.start(.postgres(adminURL: adminURL), environment: environment)
        let databaseName = String(URLComponents(string: first.context.config.databaseURL ?? "")?.path.dropFirst() ?? "")
        let second = try await TestHub.start(.postgres(adminURL: adminURL), databaseName: databaseName, migrate: false, environment: environment)
        do {
            let replies = try await statuses(16, from: [first, second], key: first.secretKey)
            XCTAssertEqual(replies.filter { $0 == .ok }.count, 10, "\(replies)")
            // Concurrently, too: twenty requests at once through both processes still get ten tokens.
            first.clock.advance(10)
            second.clock.advance(10)
            let concurrent = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for index in 0..<20 {
                    let hub = index.isMultiple(of: 2) ? first : second
                    group.addTask { try await hub.request(.GET, "/v1/payment_intents", key: first.secretKey).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            XCTAssertEqual(concurrent.filter { $0 == .ok }.count, 10, "\(concurrent)")
        } catch {
            XCTFail("\(error)")
        }
        try await second.stop()
        try await first.stop()
    }
}
