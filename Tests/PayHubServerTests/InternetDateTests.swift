import Foundation
@testable import PayHubServer
import XCTest

final class InternetDateTests: XCTestCase {
    func testMatchesFoundationsFormatterToTheMillisecond() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var generator = SystemRandomNumberGenerator()
        let samples = [0, 1_800_000_000.5, 951_782_400.001, 4_102_444_799.999] + (0..<500).map { _ in Double.random(in: 0...4_000_000_000, using: &generator) }
        for seconds in samples {
            let date = Date(timeIntervalSince1970: (seconds * 1000).rounded(.down) / 1000)
            XCTAssertEqual(InternetDate.string(from: date), formatter.string(from: date), "\(seconds)")
        }
    }
}
