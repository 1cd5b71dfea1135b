import PayHubCore
import XCTest

final class HexTests: XCTestCase {
    func testEncodesEveryByteAsTwoLowercaseDigits() {
        XCTAssertEqual(Hex.encode([UInt8]()), "")
        XCTAssertEqual(Hex.encode([0x00, 0x0f, 0xa0, 0xff]), "000fa0ff")
        let all = (0...255).map(UInt8.init)
        XCTAssertEqual(Hex.encode(all), all.map { String(format: "%02x", $0) }.joined())
    }
}
