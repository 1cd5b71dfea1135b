import Foundation
import PayHubCore
import XCTest

final class CheckoutTotalsTests: XCTestCase {
    let eur = try! Currency(code: "EUR")

    func testLinesAreQuantityTimesUnitAmountPlusTaxRoundedHalfUpPerLine() throws {
        let totals = try CheckoutTotals.compute([
            CheckoutLineItem(name: "Book", quantity: 2, unitAmount: 1250, taxRate: 400, category: "books"),
            CheckoutLineItem(name: "Pen", quantity: 3, unitAmount: 199, taxRate: 2200),
            CheckoutLineItem(name: "Gift wrap", quantity: 1, unitAmount: 0),
        ], currency: eur)
        XCTAssertEqual(totals.lines.map(\.subtotal), [2500, 597, 0])
        // 2500 × 4 % = 100 exactly; 597 × 22 % = 131.34 → 131; no rate → 0.
        XCTAssertEqual(totals.lines.map(\.tax), [100, 131, 0])
        XCTAssertEqual(totals.lines.map(\.total), [2600, 728, 0])
        XCTAssertEqual(totals.amountSubtotal, 3097)
        XCTAssertEqual(totals.amountTax, 231)
        XCTAssertEqual(totals.amountTotal, 3328)
        XCTAssertEqual(totals.currency, eur)
    }

    func testHalfUpAtExactlyOneHalfAndDownJustBelow() throws {
        // 50 × 1 % = 0.5 → 1; 49 × 1 % = 0.49 → 0; 150 × 1 % = 1.5 → 2; 250 × 1 % = 2.5 → 3 (half up, not to even).
        for (amount, tax) in [(50, 1), (49, 0), (150, 2), (250, 3), (1, 0), (10_000, 100)] as [(Int64, Int64)] {
            let totals = try CheckoutTotals.compute([CheckoutLineItem(name: "x", quantity: 1, unitAmount: amount, taxRate: 100)], currency: eur)
            XCTAssertEqual(totals.amountTax, tax, "\(amount)")
        }
    }

    func testTaxIsRoundedPerLineNotOnTheSum() throws {
        // Two lines of 0.5 each round to 1 each: 2, where rounding the sum (1.0) would give 1.
        let totals = try CheckoutTotals.compute([
            CheckoutLineItem(name: "a", quantity: 1, unitAmount: 50, taxRate: 100),
            CheckoutLineItem(name: "b", quantity: 1, unitAmount: 50, taxRate: 100),
        ], currency: eur)
        XCTAssertEqual(totals.amountTax, 2)
        XCTAssertEqual(totals.amountTotal, 102)
    }

    func testFullRateAndZeroDecimalCurrency() throws {
        let jpy = try Currency(code: "JPY")
        let totals = try CheckoutTotals.compute([CheckoutLineItem(name: "Tea", quantity: 3, unitAmount: 333, taxRate: 10_000)], currency: jpy)
        XCTAssertEqual(totals.amountTax, 999)
        XCTAssertEqual(totals.amountTotal, 1998)
    }

    func testRefusals() {
        let cases: [([CheckoutLineItem], CheckoutRuleViolation)] = [
            ([], .noLineItems),
            (Array(repeating: CheckoutLineItem(name: "x", quantity: 1, unitAmount: 1), count: 101), .tooManyLineItems(101, maximum: 100)),
            ([CheckoutLineItem(name: "  ", quantity: 1, unitAmount: 1)], .lineNameInvalid(index: 0)),
            ([CheckoutLineItem(name: String(repeating: "n", count: 201), quantity: 1, unitAmount: 1)], .lineNameInvalid(index: 0)),
            ([CheckoutLineItem(name: "x", quantity: 1, unitAmount: 1), CheckoutLineItem(name: "y", quantity: 0, unitAmount: 1)],
             .lineQuantityInvalid(index: 1)),
            ([CheckoutLineItem(name: "x", quantity: 100_001, unitAmount: 1)], .lineQuantityInvalid(index: 0)),
            ([CheckoutLineItem(name: "x", quantity: 1, unitAmount: -1)], .lineUnitAmountInvalid(index: 0)),
            ([CheckoutLineItem(name: "x", quantity: 1, unitAmount: 100_000_000)], .lineUnitAmountInvalid(index: 0)),
            ([CheckoutLineItem(name: "x", quantity: 1, unitAmount: 1, taxRate: -1)], .lineTaxRateInvalid(index: 0)),
            ([CheckoutLineItem(name: "x", quantity: 1, unitAmount: 1, taxRate: 10_001)], .lineTaxRateInvalid(index: 0)),
            ([CheckoutLineItem(name: "x", quantity: 100_000, unitAmount: 99_999_999)], .lineAmountTooLarge(index: 0)),
            ([CheckoutLineItem(name: "x", quantity: 1, unitAmount: 0)], .totalNotPositive),
            ([CheckoutLineItem(name: "x", quantity: 1, unitAmount: 99_999_999, taxRate: 100)], .totalAboveMaximum(100_999_999, maximum: 99_999_999)),
            ([CheckoutLineItem(name: "x", quantity: 1, unitAmount: 60_000_000), CheckoutLineItem(name: "y", quantity: 1, unitAmount: 60_000_000)],
             .totalAboveMaximum(120_000_000, maximum: 99_999_999)),
        ]
        for (items, expected) in cases {
            XCTAssertThrowsError(try CheckoutTotals.compute(items, currency: eur), "\(expected)") { error in
                XCTAssertEqual(error as? CheckoutRuleViolation, expected)
                XCTAssertTrue((error as? CheckoutRuleViolation)?.isInvalidInput ?? false)
                XCTAssertNotNil((error as? CheckoutRuleViolation)?.param)
            }
        }
    }

    func testParamsNameTheLine() {
        XCTAssertEqual(CheckoutRuleViolation.lineQuantityInvalid(index: 2).param, "line_items.2.quantity")
        XCTAssertEqual(CheckoutRuleViolation.lineTaxRateInvalid(index: 0).param, "line_items.0.tax_rate")
        XCTAssertEqual(CheckoutRuleViolation.expiresAtOutOfRange(1).param, "expires_at")
    }

    func testSingleAmount() throws {
        let totals = CheckoutTotals.single(Money(minorUnits: 1250, currency: eur))
        XCTAssertEqual(totals.amountTotal, 1250)
        XCTAssertEqual(totals.amountTax, 0)
        XCTAssertEqual(totals.lines, [])
    }
}

final class CheckoutSessionMachineTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func session() throws -> CheckoutSession {
        CheckoutSession(
            id: CheckoutSessionID(rawValue: "cs_test"), paymentIntentID: PaymentIntentID(rawValue: "pi_test"),
            totals: CheckoutTotals.single(Money(minorUnits: 100, currency: try Currency(code: "EUR"))),
            expiresAt: now.addingTimeInterval(3600), createdAt: now)
    }

    func testOpenCompletesOnceWithItsEvent() throws {
        let later = now.addingTimeInterval(60)
        let completed = try CheckoutSessionMachine.complete(try session(), at: later)
        XCTAssertEqual(completed.session.status, .complete)
        XCTAssertEqual(completed.session.completedAt, later)
        XCTAssertEqual(completed.session.updatedAt, later)
        XCTAssertEqual(completed.events, [.checkoutSessionCompleted])
        let again = try CheckoutSessionMachine.complete(completed.session, at: later.addingTimeInterval(1))
        XCTAssertTrue(again.isNoOp)
        XCTAssertEqual(again.session, completed.session)
        XCTAssertThrowsError(try CheckoutSessionMachine.expire(completed.session, at: later)) { error in
            XCTAssertEqual(error as? CheckoutRuleViolation, .sessionComplete(CheckoutSessionID(rawValue: "cs_test")))
            XCTAssertEqual((error as? CheckoutRuleViolation)?.code, "checkout_session_complete")
            XCTAssertFalse((error as? CheckoutRuleViolation)?.isInvalidInput ?? true)
        }
    }

    func testOpenExpiresOnceWithItsEventAndCannotBePaidAfter() throws {
        let expired = try CheckoutSessionMachine.expire(try session(), at: now)
        XCTAssertEqual(expired.session.status, .expired)
        XCTAssertEqual(expired.session.expiredAt, now)
        XCTAssertEqual(expired.events, [.checkoutSessionExpired])
        XCTAssertTrue(try CheckoutSessionMachine.expire(expired.session, at: now).isNoOp)
        XCTAssertThrowsError(try CheckoutSessionMachine.complete(expired.session, at: now)) { error in
            XCTAssertEqual((error as? CheckoutRuleViolation)?.code, "checkout_session_expired")
        }
        XCTAssertFalse(CheckoutSessionMachine.isPayable(expired.session, at: now))
    }

    func testPayableOnlyWhileOpenAndBeforeItsExpiry() throws {
        let open = try session()
        XCTAssertTrue(CheckoutSessionMachine.isPayable(open, at: now))
        XCTAssertFalse(CheckoutSessionMachine.isPayable(open, at: open.expiresAt))
        XCTAssertFalse(CheckoutSessionMachine.isPayable(try CheckoutSessionMachine.complete(open, at: now).session, at: now))
        XCTAssertTrue(CheckoutSessionStatus.complete.isFinal && CheckoutSessionStatus.expired.isFinal)
        XCTAssertFalse(CheckoutSessionStatus.open.isFinal)
    }

    func testExpiryDefaultsTo24HoursAndAllows30MinutesTo7Days() throws {
        let base = Int64(now.timeIntervalSince1970)
        XCTAssertEqual(try CheckoutExpiry.expiresAt(requested: nil, now: now), now.addingTimeInterval(86_400))
        XCTAssertEqual(try CheckoutExpiry.expiresAt(requested: base + 1800, now: now), now.addingTimeInterval(1800))
        XCTAssertEqual(try CheckoutExpiry.expiresAt(requested: base + 604_800, now: now), now.addingTimeInterval(604_800))
        for requested in [base + 1799, base + 604_801, base, base - 10, 0, Int64.max / 2] {
            XCTAssertThrowsError(try CheckoutExpiry.expiresAt(requested: requested, now: now)) { error in
                XCTAssertEqual(error as? CheckoutRuleViolation, .expiresAtOutOfRange(requested))
            }
        }
    }

    func testSessionIDsArePrefixedAndUnguessable() {
        let id: CheckoutSessionID = SecureRandomIDGenerator().make()
        XCTAssertTrue(id.rawValue.hasPrefix("cs_"))
        XCTAssertEqual(id.rawValue.count, 27, "24 base-62 characters: about 143 random bits")
        XCTAssertNil(CheckoutSessionID(validating: "pi_abc"))
        XCTAssertTrue(EventType.checkoutSessionCompleted.matches(filter: "checkout.session.*"))
        XCTAssertEqual(EventType.checkoutSessionExpired.rawValue, "checkout.session.expired")
    }
}
