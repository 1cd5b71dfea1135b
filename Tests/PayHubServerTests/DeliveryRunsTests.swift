@testable import PayHubServer
import PayHubCore
import XCTest

/// `DeliveryRuns`: an endpoint counts as running from the start of a run until the last run of it ends.
final class DeliveryRunsTests: XCTestCase {
    func testAnEndpointRunsUntilItsLastRunEnds() throws {
        let runs = DeliveryRuns()
        let endpoint = try WebhookEndpointID(parsing: "we_0123456789abcdefghijklmn")
        let other = try WebhookEndpointID(parsing: "we_nmlkjihgfedcba9876543210")
        XCTAssertFalse(runs.isRunning(endpoint))
        runs.begin(endpoint)
        runs.begin(endpoint)
        XCTAssertTrue(runs.isRunning(endpoint))
        XCTAssertFalse(runs.isRunning(other))
        runs.end(endpoint)
        XCTAssertTrue(runs.isRunning(endpoint), "another run of it is still under way")
        runs.end(endpoint)
        XCTAssertFalse(runs.isRunning(endpoint))
        runs.end(endpoint)
        XCTAssertFalse(runs.isRunning(endpoint), "an extra end never makes it run")
    }
}
