import Foundation
import PayHubCore
import XCTest

final class RefundMachineTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func succeededIntent(amount: Int64 = 1000) throws -> PaymentIntent {
        var intent = PaymentIntent(
            id: PaymentIntentID(rawValue: "pi_1"), amount: Money(minorUnits: amount, currency: try Currency(code: "EUR")),
            captureMethod: .automatic, createdAt: now)
        intent.status = .succeeded
        intent.amountReceived = amount
        return intent
    }

    func refund(_ n: Int, _ amount: Int64?, on intent: PaymentIntent) throws -> RefundTransition {
        try RefundMachine.request(id: RefundID(rawValue: "re_\(n)"), amount: amount, reason: .requestedByCustomer, on: intent, at: now)
    }

    func testSeveralPartialRefundsUpToTheCapturedAmount() throws {
        var intent = try succeededIntent()
        var refunds: [Refund] = []
        for n in 0..<3 {
            let transition = try refund(n, 300, on: intent)
            XCTAssertEqual(transition.events, [.refundCreated])
            XCTAssertEqual(transition.refund.status, .pending)
            intent = transition.intent
            refunds.append(transition.refund)
        }
        XCTAssertEqual(intent.amountRefundPending, 900)
        XCTAssertEqual(intent.amountRefundable, 100)
        XCTAssertThrowsError(try refund(9, 101, on: intent)) {
            XCTAssertEqual($0 as? PaymentRuleViolation, .refundAmountTooLarge(requested: 101, refundable: 100))
        }
        let rest = try refund(3, nil, on: intent)
        XCTAssertEqual(rest.refund.amount.minorUnits, 100)
        intent = rest.intent
        XCTAssertThrowsError(try refund(10, 1, on: intent)) { XCTAssertEqual($0 as? PaymentRuleViolation, .alreadyFullyRefunded) }
        refunds.append(rest.refund)
        for (index, pending) in refunds.enumerated() {
            let settled = try RefundMachine.settle(
                pending, outcome: index == 1 ? .failed(reason: "declined") : .succeeded, on: intent, at: now)
            intent = settled.intent
            XCTAssertEqual(settled.events, [index == 1 ? .refundFailed : .refundSucceeded])
        }
        XCTAssertEqual(intent.amountRefunded, 700)
        XCTAssertEqual(intent.amountRefundPending, 0)
        XCTAssertEqual(intent.amountRefundable, 300, "a failed refund frees its amount again")
    }

    func testRefundsNeedASucceededPayment() throws {
        for status in PaymentIntentStatus.allCases where status != .succeeded {
            var intent = try succeededIntent()
            intent.status = status
            XCTAssertThrowsError(try refund(1, 100, on: intent), "\(status)") {
                XCTAssertEqual(($0 as? PaymentRuleViolation)?.code, "payment_intent_unexpected_state")
            }
        }
    }

    func testInvalidAmounts() throws {
        let intent = try succeededIntent()
        XCTAssertThrowsError(try refund(1, 0, on: intent)) { XCTAssertEqual(($0 as? PaymentRuleViolation)?.code, "amount_invalid") }
        XCTAssertThrowsError(try refund(1, -1, on: intent))
        XCTAssertThrowsError(try refund(1, 1001, on: intent)) { XCTAssertEqual(($0 as? PaymentRuleViolation)?.code, "amount_too_large") }
    }

    func testSettlingIsIdempotentAndFinal() throws {
        let created = try refund(1, 500, on: try succeededIntent())
        let settled = try RefundMachine.settle(created.refund, outcome: .succeeded, on: created.intent, at: now)
        let again = try RefundMachine.settle(settled.refund, outcome: .succeeded, on: settled.intent, at: now)
        XCTAssertTrue(again.isNoOp)
        XCTAssertEqual(again.intent.amountRefunded, 500)
        XCTAssertThrowsError(try RefundMachine.settle(settled.refund, outcome: .failed(reason: "x"), on: settled.intent, at: now)) {
            XCTAssertEqual($0 as? PaymentRuleViolation, .refundNotPending(.succeeded))
        }
        let stillPending = try RefundMachine.settle(created.refund, outcome: .pending, on: created.intent, at: now)
        XCTAssertTrue(stillPending.isNoOp)
    }

    func testRefundsNeverExceedWhatWasCapturedWhateverTheOrder() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var intent = try succeededIntent(amount: Int64.random(in: 1...5000, using: &generator))
            var pending: [Refund] = []
            for n in 0..<30 {
                if Bool.random(using: &generator), let next = pending.popLast() {
                    let outcome: RefundOutcome = Bool.random(using: &generator) ? .succeeded : .failed(reason: "x")
                    intent = try RefundMachine.settle(next, outcome: outcome, on: intent, at: now).intent
                } else if let transition = try? refund(n, Int64.random(in: 1...2000, using: &generator), on: intent) {
                    intent = transition.intent
                    pending.append(transition.refund)
                }
                XCTAssertLessThanOrEqual(intent.amountRefunded + intent.amountRefundPending, intent.amountReceived)
                XCTAssertGreaterThanOrEqual(intent.amountRefundPending, 0)
            }
        }
    }
}
