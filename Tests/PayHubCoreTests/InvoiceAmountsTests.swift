import XCTest
@testable import PayHubCore

final class InvoiceAmountsTests: XCTestCase {
    let eur = try! Currency(code: "EUR")
    let standard22 = try! VATRate(basisPoints: 2200)
    let reduced10 = try! VATRate(basisPoints: 1000)

    func testVATOnTopIsRoundedHalfUpPerLineThenSummed() throws {
        // 3 × 3.33 = 9.99 net; 22 % of it is 2.1978, rounded to 2.20. Twice: the sum of rounded lines, 4.40
        // (rounding the rate's total, 4.3956, would give 4.40 too; 1 × 0.05 at 10 % is 0.005, rounded up to 0.01).
        let amounts = try InvoiceAmounts.compute([
            InvoiceLineItem(description: "Tea", quantity: 3, unitAmount: 333, vatRate: standard22, amountIncludesVAT: false),
            InvoiceLineItem(description: "Tea", quantity: 3, unitAmount: 333, vatRate: standard22, amountIncludesVAT: false),
            InvoiceLineItem(description: "Bag", quantity: 1, unitAmount: 5, vatRate: reduced10, amountIncludesVAT: false),
        ], currency: eur)
        XCTAssertEqual(amounts.lines.map(\.vat), [220, 220, 1])
        XCTAssertEqual(amounts.subtotals.map(\.taxable), [1998, 5])
        XCTAssertEqual(amounts.subtotals.map(\.vat), [440, 1])
        XCTAssertEqual(amounts.net, 2003)
        XCTAssertEqual(amounts.vat, 441)
        XCTAssertEqual(amounts.gross, 2444)
    }

    func testAnAmountWithVATIncludedKeepsItsTotal() throws {
        // 12.50 paid at 22 %: VAT = 12.50 × 22 / 122 = 2.2540..., rounded to 2.25; net 10.25.
        let amounts = try InvoiceAmounts.compute(
            [InvoiceLineItem(description: "Order", quantity: 1, unitAmount: 1250, vatRate: standard22, amountIncludesVAT: true)], currency: eur)
        XCTAssertEqual(amounts.lines[0].vat, 225)
        XCTAssertEqual(amounts.lines[0].net, 1025)
        XCTAssertEqual(amounts.gross, 1250)
        for paid in Int64(1)...5_000 {
            let line = try InvoiceAmounts.line(
                InvoiceLineItem(description: "x", quantity: 1, unitAmount: paid, vatRate: standard22, amountIncludesVAT: true), index: 0,
                maximum: Money.defaultMaximum)
            XCTAssertEqual(line.net + line.vat, paid)
            // Half up: the VAT is within half a minor unit of the exact share paid × 22 / 122.
            XCTAssertLessThanOrEqual(abs(line.vat * 122 * 2 - paid * 22 * 2), 122)
        }
    }

    func testCreditLinesShareARefundExactlyAcrossRates() throws {
        let invoice = try InvoiceAmounts.compute([
            InvoiceLineItem(description: "A", quantity: 1, unitAmount: 1000, vatRate: standard22, amountIncludesVAT: true),
            InvoiceLineItem(description: "B", quantity: 1, unitAmount: 500, vatRate: reduced10, amountIncludesVAT: true),
        ], currency: eur)
        let partial = try invoice.creditLines(for: 1001) { "Refund of \($0.description)" }
        XCTAssertEqual(partial.map(\.unitAmount).reduce(0, +), 1001)
        XCTAssertEqual(partial.map(\.unitAmount), [667, 334])
        XCTAssertEqual(partial.map(\.vatRate), [standard22, reduced10])
        XCTAssertEqual(try invoice.creditLines(for: 1500) { $0.description }, invoice.lines.map(\.item))
        XCTAssertThrowsError(try invoice.creditLines(for: 1501) { $0.description })
        XCTAssertThrowsError(try invoice.creditLines(for: 0) { $0.description })
    }

    func testInvalidLinesAndRatesAreRefused() {
        XCTAssertThrowsError(try InvoiceAmounts.compute([], currency: eur))
        XCTAssertThrowsError(try VATRate(basisPoints: 0))
        XCTAssertThrowsError(try VATRate(basisPoints: 10_001))
        XCTAssertThrowsError(try VATRate(basisPoints: 500, category: .zeroRated))
        XCTAssertThrowsError(try VATRate(basisPoints: 0, category: .exempt))
        XCTAssertNoThrow(try VATRate(basisPoints: 0, category: .exempt, exemptionReason: "Art. 10 DPR 633/72"))
        XCTAssertThrowsError(try InvoiceAmounts.compute(
            [InvoiceLineItem(description: " ", quantity: 1, unitAmount: 1, vatRate: standard22, amountIncludesVAT: true)], currency: eur))
        XCTAssertThrowsError(try InvoiceAmounts.compute(
            [InvoiceLineItem(description: "x", quantity: 0, unitAmount: 1, vatRate: standard22, amountIncludesVAT: true)], currency: eur))
        XCTAssertThrowsError(try InvoiceAmounts.compute(
            [InvoiceLineItem(description: "x", quantity: 100_000, unitAmount: 99_999_999, vatRate: standard22, amountIncludesVAT: false)], currency: eur))
    }

    func testMonthlyIntervalsKeepTheAnchorDay() throws {
        let anchor = ISO8601DateFormatter().date(from: "2026-01-31T10:00:00Z")!
        let monthly = try BillingInterval(unit: .month)
        let format = ISO8601DateFormatter()
        XCTAssertEqual(format.string(from: monthly.date(after: 1, from: anchor)), "2026-02-28T10:00:00Z")
        XCTAssertEqual(format.string(from: monthly.date(after: 2, from: anchor)), "2026-03-31T10:00:00Z")
        XCTAssertEqual(format.string(from: try BillingInterval(unit: .week, count: 2).date(after: 1, from: anchor)), "2026-02-14T10:00:00Z")
        XCTAssertThrowsError(try BillingInterval(unit: .month, count: 0))
        XCTAssertThrowsError(try BillingInterval(unit: .year, count: 4))
    }
}
