import Foundation
import PayHubCore
import XCTest

final class CardNumberDetectorTests: XCTestCase {
    /// Test numbers of every network the detector knows, each a valid PAN.
    static let pans = [
        "4242424242424242", "4000000000003220", "4222222222222", "4111111111111111110", // visa 16, 16, 13, 19
        "5555555555554444", "2223003122003222", "378282246310005", "371449635398431", "6011111111111117",
        "6445644564456445", "3566002020360505", "30569309025904", "36227206271667", "6200000000000005",
        "6304000000000000", "5018000000000009",
    ]

    func testFindsCardNumbersOfEveryNetworkInAnyFormatting() {
        for pan in Self.pans {
            XCTAssertNotNil(CardNumberDetector.network(of: Self.digits(pan)), pan)
            XCTAssertTrue(CardNumberDetector.passesLuhn(Self.digits(pan)), pan)
            for text in [pan, Self.grouped(pan, by: 4, with: " "), Self.grouped(pan, by: 4, with: "-"),
                         Self.grouped(pan, by: 4, with: " - "), Self.grouped(pan, by: 4, with: "\u{2013}"),
                         Self.grouped(pan, by: 4, with: "\u{00A0}"), Self.grouped(pan, by: 3, with: "  "),
                         "{\"note\": \"card \(pan) thanks\"}"] {
                XCTAssertTrue(CardNumberDetector.containsCardNumber(text), text)
            }
        }
    }

    func testFindsCardNumbersWrittenInOtherDecimalDigits() {
        let fullWidth = String(String.UnicodeScalarView("4242424242424242".unicodeScalars.map { Unicode.Scalar($0.value - 0x30 + 0xFF10)! }))
        let arabicIndic = String(String.UnicodeScalarView("4242424242424242".unicodeScalars.map { Unicode.Scalar($0.value - 0x30 + 0x0660)! }))
        XCTAssertTrue(CardNumberDetector.containsCardNumber(fullWidth))
        XCTAssertTrue(CardNumberDetector.containsCardNumber(arabicIndic))
    }

    func testIgnoresWhatIsNotACardNumber() {
        for text in [
            "4242424242424241", // fails Luhn
            "1111111111111117", // no network, in any window
            "+2250700000001", "1795380450", "424242424242", // too short
            "tok_visa", "", "2024-06-20", "4242 4242 4242", "4242-4242-4242-424",
            "4242    4242    4242    4242", // separators too long to join groups
            "b0f5e74e-475c-6c29-a486-2885960962bc", "43686095-4864-4628-984c-495f00000000", // digits of words are not groups
        ] {
            XCTAssertFalse(CardNumberDetector.containsCardNumber(text), text)
        }
    }

    // MARK: - A card number inside a longer run of digits

    func testACardNumberInsideALongerDigitRunIsFound() {
        XCTAssertTrue(CardNumberDetector.containsCardNumber("42424242424242424242"), "a 20-digit run holding a PAN")
        XCTAssertTrue(CardNumberDetector.containsCardNumber("order 0004242424242424242"))
        XCTAssertTrue(CardNumberDetector.containsCardNumber("42424242424242429"))
        XCTAssertTrue(CardNumberDetector.containsCardNumber("id:98765378282246310005123"))
    }

    /// Every card number at every offset of digit runs of every length up to 40, with padding no PAN can begin in.
    func testEveryWindowOfADigitRunIsTried() {
        var generator = SeededGenerator(seed: 42)
        for pan in Self.pans {
            for before in 0...(40 - pan.count) {
                for after in [0, 1, 7, 40 - pan.count - before] where before + pan.count + after <= 40 {
                    let run = Self.randomDigits(before, using: &generator) + pan + Self.randomDigits(after, using: &generator)
                    XCTAssertTrue(CardNumberDetector.containsCardNumber(run), "\(pan) in \(run)")
                    XCTAssertTrue(CardNumberDetector.containsCardNumber("x\(run)y"), "\(pan) in \(run)")
                }
            }
        }
    }

    // MARK: - A card number next to other digits, written in groups

    func testACardNumberNextToOtherDigitGroupsIsFound() {
        for text in [
            "4242 4242 4242 4242 12/25", "2024-06-20 4242424242424242", "2024-06-20 4242 4242 4242 4242",
            "4242 4242 4242 4242 123", "card: 4242-4242-4242-4242-12-25", "1 2 3 4242 4242 4242 4242 5 6",
            "06 20 4242 4242 4242 4242", "3782 822463 10005 exp 12 25", "ref 1001 5555 5555 5555 4444 cvc 123",
        ] {
            XCTAssertTrue(CardNumberDetector.containsCardNumber(text), text)
        }
    }

    /// Every card number split into groups in many ways, between random groups of other digits.
    func testEverySpanOfWholeDigitGroupsIsTried() {
        var generator = SeededGenerator(seed: 7)
        for pan in Self.pans {
            for _ in 0..<200 {
                let groups = Self.randomGroups(of: pan, using: &generator)
                let before = (0..<Int.random(in: 0...3, using: &generator)).map { _ in
                    Self.randomDigits(Int.random(in: 1...6, using: &generator), using: &generator)
                }
                let after = (0..<Int.random(in: 0...3, using: &generator)).map { _ in
                    Self.randomDigits(Int.random(in: 1...6, using: &generator), using: &generator)
                }
                let separator = [" ", "-", " - ", "\u{00A0}"].randomElement(using: &generator)!
                let text = (before + groups + after).joined(separator: separator)
                XCTAssertTrue(CardNumberDetector.containsCardNumber(text), "\(pan) in \(text)")
            }
        }
    }

    // MARK: - False positives and speed

    /// Ordinary payloads: ids, timestamps (seconds to nanoseconds), amounts, dates, phone numbers, UUIDs, IBANs,
    /// order numbers. None is a card number.
    func testOrdinaryPayloadsAreNeverTakenForCardNumbers() {
        var generator = SeededGenerator(seed: 1)
        var payloads: [String] = []
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        for index in 0..<20_000 {
            let id = String((0..<24).map { _ in alphabet.randomElement(using: &generator)! })
            let seconds = 1_700_000_000 + Int.random(in: 0...300_000_000, using: &generator)
            let amount = Int.random(in: 1...99_999_999, using: &generator)
            let phone = "+225 07 \(Int.random(in: 10...99, using: &generator)) \(Int.random(in: 10...99, using: &generator)) \(Int.random(in: 10...99, using: &generator)) 01"
            payloads.append("""
                {"id": "pi_\(id)", "amount": \(amount), "currency": "EUR", "created": \(seconds), \
                "created_ms": \(seconds * 1000 + index % 1000), "date": "2026-12-01T09:\(index % 60):00Z", "day": "2026-12-01 2026-12-02", \
                "customer": {"phone": "\(phone)", "name": "Ada \(index)"}, "idempotency": "order-\(index)-retry-1", \
                "iban": "IT60 X054 2811 1010 0000 0123 456", "purchase_reference": "order-\(index)-\(amount)", \
                "metadata": {"cart": "\(amount % 1000) items", "sku": "SKU-\(index)", "placed": "\(seconds)"}}
                """)
        }
        let flagged = payloads.filter(CardNumberDetector.containsCardNumber)
        XCTAssertEqual(flagged.count, 0, "false positives: \(flagged.prefix(3))")
    }

    /// The price of trying every window of a digit run and every span of digit groups, measured: 13 or more digits
    /// in a row (or in groups) may hold a sequence no detector can tell from a card number. PayHub's own ids,
    /// timestamps (seconds, milliseconds) and amounts never do; microsecond timestamps, 16- to 19-digit numeric
    /// ids, numbers written side by side and, rarely, random hex or UUID keys sometimes do, and are refused.
    func testTheFalsePositiveRateOfLongDigitRunsIsMeasured() {
        var generator = SeededGenerator(seed: 3)
        func rate(_ make: (inout SeededGenerator) -> String) -> Double {
            let samples = 20_000
            return Double((0..<samples).filter { _ in CardNumberDetector.containsCardNumber(make(&generator)) }.count) / Double(samples)
        }
        let visaLike = rate { "4" + Self.randomDigits(15, using: &$0) }
        let microseconds = rate { String(Int.random(in: 1_700_000_000...2_000_000_000, using: &$0)) + Self.randomDigits(6, using: &$0) }
        let sixteenDigitIDs = rate { "1" + Self.randomDigits(15, using: &$0) }
        let nineteenDigitIDs = rate { "1" + Self.randomDigits(18, using: &$0) }
        let twelveDigits = rate { Self.randomDigits(12, using: &$0) }
        let uuids = rate { _ in UUID().uuidString }
        let hexKeys = rate { generator in (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined() }
        let twoAmounts = rate { "\(Int.random(in: 1...99_999_999, using: &$0)) \(Int.random(in: 1...99_999_999, using: &$0))" }
        print("card detector false positives: 16 digits starting with 4 \(visaLike), microsecond timestamps \(microseconds), " +
              "16-digit ids \(sixteenDigitIDs), 19-digit ids \(nineteenDigitIDs), 12 digits \(twelveDigits), " +
              "two amounts side by side \(twoAmounts), UUIDs \(uuids), 32-character hex keys \(hexKeys)")
        XCTAssertEqual(visaLike, 0.24, accuracy: 0.02, "Luhn passes one number in ten, and its 13-digit windows add more")
        XCTAssertEqual(microseconds, 0.035, accuracy: 0.015)
        XCTAssertEqual(sixteenDigitIDs, 0.076, accuracy: 0.015)
        XCTAssertEqual(nineteenDigitIDs, 0.25, accuracy: 0.03)
        XCTAssertEqual(twelveDigits, 0, "12 digits are never a PAN")
        XCTAssertEqual(twoAmounts, 0.036, accuracy: 0.015, "two 8-digit amounts side by side make 16 digits")
        XCTAssertLessThan(uuids, 0.001, "only UUIDs whose first segments are all digits can be refused (about 3 in 100,000)")
        XCTAssertEqual(hexKeys, 0.0018, accuracy: 0.0015, "a run of 13 or more digits in a hex key is rare")
    }

    func testScanningIsFastEnoughForEveryRequest() {
        let body = """
            {"amount": 1250, "currency": "EUR", "purchase_reference": "order-1001", "description": "Two coffees and a cake", \
            "customer": {"name": "Ada Lovelace", "email": "ada@example.com", "phone": "+393331234567", "locale": "it"}, \
            "metadata": {"order": "1001", "cart": "c_8f3a2b", "placed": "2026-12-01 09:10:25"}}
            """
        let rounds = 5_000
        let started = ContinuousClock.now
        for _ in 0..<rounds { XCTAssertFalse(CardNumberDetector.containsCardNumber(body)) }
        let perBody = (ContinuousClock.now - started) / rounds
        // Far below the ~0.7 ms a payment takes at 1,400 payments/s, even in a debug build.
        XCTAssertLessThan(perBody, .microseconds(100), "\(perBody) per body")
    }

    func testLuhn() {
        XCTAssertTrue(CardNumberDetector.passesLuhn([7, 9, 9, 2, 7, 3, 9, 8, 7, 1, 3]))
        XCTAssertFalse(CardNumberDetector.passesLuhn([7, 9, 9, 2, 7, 3, 9, 8, 7, 1, 4]))
    }

    // MARK: - Helpers

    static func digits(_ text: String) -> [UInt8] { text.utf8.map { $0 - 0x30 } }

    static func grouped(_ pan: String, by size: Int, with separator: String) -> String {
        var groups: [String] = []
        var rest = Substring(pan)
        while !rest.isEmpty {
            groups.append(String(rest.prefix(size)))
            rest = rest.dropFirst(size)
        }
        return groups.joined(separator: separator)
    }

    static func randomGroups(of pan: String, using generator: inout SeededGenerator) -> [String] {
        var groups: [String] = []
        var rest = Substring(pan)
        while !rest.isEmpty {
            let size = Int.random(in: 1...6, using: &generator)
            groups.append(String(rest.prefix(size)))
            rest = rest.dropFirst(size)
        }
        return groups
    }

    static func randomDigits(_ count: Int, using generator: inout SeededGenerator) -> String {
        String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
    }
}

/// A reproducible random source (SplitMix64), so a failure can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
