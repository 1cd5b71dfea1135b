@testable import PayHubServer
import XCTest

final class DecodedJSONMemoTests: XCTestCase {
    func testATextIsDecodedAsJSONDecoderDecodesItAndInvalidTextIsNeverKept() {
        let memo = DecodedJSONMemo<[String: String]>(byteLimit: 64)
        XCTAssertEqual(memo.decode(#"{"a": "1"}"#), ["a": "1"])
        XCTAssertEqual(memo.decode(#"{"a": "1"}"#), ["a": "1"], "from the memo")
        XCTAssertEqual(memo.decode(#"{"b": "2"}"#), ["b": "2"])
        XCTAssertNil(memo.decode(#"{"a": 1}"#), "not a dictionary of strings")
        XCTAssertNil(memo.decode("not json"))
        // Past its limit the memo starts again; a text longer than the limit is decoded but not kept.
        let long = #"{"key": ""# + String(repeating: "x", count: 100) + #""}"#
        XCTAssertEqual(memo.decode(long)?["key"]?.count, 100)
        XCTAssertEqual(memo.decode(#"{"a": "1"}"#), ["a": "1"])
    }

    func testFormTokensAreLettersAToPTwoAByte() {
        XCTAssertEqual(AuthenticationPageGuard.letters([0x00, 0x1F, 0xFF, 0xA5]), "aabpppkf")
    }
}
