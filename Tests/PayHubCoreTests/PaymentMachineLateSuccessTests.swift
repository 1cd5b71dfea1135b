import Foundation
import PayHubCore
import XCTest

/// Late successes, their reversal, and the amounts providers report (issue 6, 1.1 and 1.2).
final class PaymentMachineLateSuccessTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let eur = try! Currency(code: "EUR")
    let intentID = PaymentIntentID(rawValue: "pi_1")

    func intent(capture: CaptureMethod = .automatic) -> PaymentIntent {
        PaymentIntent(id: intentID, amount: Money(minorUnits: 1000, currency: eur), captureMethod: capture, createdAt: now)
    }

    func started(_ id: String, on intent: PaymentIntent) throws -> (PaymentIntent, PaymentAttempt) {
        let attempt = PaymentAttempt(id: PaymentAttemptID(rawValue: id), paymentIntentID: intentID, provider: "p", methodType: "card", createdAt: now)
        let result = try PaymentMachine.apply(.startAttempt(attempt), to: intent, attempt: nil, at: now)
        return (result.intent, result.attempt!)
    }

    func record(_ outcome: ProviderOutcome, _ attempt: PaymentAttempt, _ intent: PaymentIntent, amounts: ProviderAmounts = .unknown) throws -> PaymentTransition {
        try PaymentMachine.apply(
            .recordOutcome(attemptID: attempt.id, outcome: outcome, providerReference: "ref", amounts: amounts), to: intent, attempt: attempt, at: now)
    }

    func testACancelCanDropARealCharge_aSuccessAfterTheCancelIsRecordedAndMarkedForReversal() throws {
        let (open, attempt) = try started("py_a", on: intent())
        let canceled = try PaymentMachine.apply(.cancel(reason: nil), to: open, attempt: attempt, at: now)
        let late = try record(.succeeded, canceled.attempt!, canceled.intent)
        XCTAssertEqual(late.events, [.paymentIntentLateSuccess])
        XCTAssertTrue(late.startsReversal)
        XCTAssertEqual(late.intent.status, .canceled, "the intent stays canceled")
        XCTAssertEqual(late.intent.amountReceived, 0, "a charge being given back is not revenue")
        XCTAssertEqual(late.attempt?.status, .succeeded, "the charge is recorded on its attempt")
        XCTAssertEqual(late.attempt?.lateSuccessReversal, .pending)
        XCTAssertEqual(late.attempt?.amountReceived, 1000)

        let again = try record(.succeeded, late.attempt!, late.intent)
        XCTAssertTrue(again.isNoOp, "a repeated webhook raises nothing twice")
    }

    func testAnAuthorisationAfterTheCancelThatIsCapturedLaterIsKeptForTheReversal() throws {
        let (open, attempt) = try started("py_a", on: intent(capture: .manual))
        let canceled = try PaymentMachine.apply(.cancel(reason: nil), to: open, attempt: attempt, at: now)
        let late = try record(.requiresCapture, canceled.attempt!, canceled.intent)
        XCTAssertEqual(late.events, [.paymentIntentLateSuccess])
        let captured = try record(.succeeded, late.attempt!, late.intent)
        XCTAssertEqual(captured.events, [])
        XCTAssertTrue(captured.writesAttempt, "the reversal job must now refund, not void")
        XCTAssertEqual(captured.attempt?.status, .succeeded)
        XCTAssertEqual(captured.attempt?.lateSuccessReversal, .pending)
    }

    func testASecondAttemptThatSucceedsAfterTheIntentWasPaidIsALateSuccess() throws {
        var (open, first) = try started("py_a", on: intent())
        // The first attempt's provider never answered; the customer paid again after it failed.
        let failed = try record(.failed(PaymentFailure(kind: .cardError, code: "card_declined", declineCode: nil, message: "no")), first, open)
        (open, first) = (failed.intent, failed.attempt!)
        let (reopened, second) = try started("py_b", on: open)
        let paid = try record(.succeeded, second, reopened)
        XCTAssertEqual(paid.intent.status, .succeeded)
        let late = try record(.succeeded, first, paid.intent)
        XCTAssertEqual(late.events, [.paymentIntentLateSuccess], "the first attempt's charge is a duplicate to give back")
        XCTAssertEqual(late.intent.amountReceived, 1000, "the intent keeps what the second attempt took, once")
    }

    func testASuccessForAFailedAttemptOfAnOpenIntentIsAdopted() throws {
        let (open, attempt) = try started("py_a", on: intent())
        let failed = try record(.failed(SandboxLikeFailure.timeout), attempt, open)
        let adopted = try record(.succeeded, failed.attempt!, failed.intent)
        XCTAssertEqual(adopted.events, [.paymentIntentSucceeded])
        XCTAssertEqual(adopted.intent.status, .succeeded)
        XCTAssertEqual(adopted.intent.activeAttemptID, attempt.id)
        XCTAssertNil(adopted.attempt?.lateSuccessReversal)
    }

    func testStaleNewsAboutTheSuccessThatCountsIsRefused() throws {
        let (open, attempt) = try started("py_a", on: intent(capture: .manual))
        let authorised = try record(.requiresCapture, attempt, open)
        let captured = try PaymentMachine.apply(.capture(amount: nil), to: authorised.intent, attempt: authorised.attempt, at: now)
        XCTAssertThrowsError(try record(.requiresCapture, captured.attempt!, captured.intent)) { error in
            XCTAssertEqual((error as? PaymentRuleViolation)?.code, PaymentRuleViolation.attemptNotActiveCode)
        }
    }

    func testReversalOutcomesRaiseTheirEventsOnce() throws {
        let (open, attempt) = try started("py_a", on: intent())
        let canceled = try PaymentMachine.apply(.cancel(reason: nil), to: open, attempt: attempt, at: now)
        let late = try record(.succeeded, canceled.attempt!, canceled.intent)
        for (reversal, event) in [
            (LateSuccessReversal.voided, EventType.paymentIntentLateSuccessReversed),
            (.refunded, .paymentIntentLateSuccessReversed),
            (.failed(reason: "declined"), .paymentIntentLateSuccessReversalFailed),
        ] {
            let done = try PaymentMachine.apply(.recordReversal(attemptID: attempt.id, reversal: reversal), to: late.intent, attempt: late.attempt, at: now)
            XCTAssertEqual(done.events, [event], "\(reversal)")
            XCTAssertEqual(done.attempt?.lateSuccessReversal, reversal)
            if reversal == .voided { XCTAssertEqual(done.attempt?.status, .canceled) }
            let repeated = try PaymentMachine.apply(.recordReversal(attemptID: attempt.id, reversal: reversal), to: done.intent, attempt: done.attempt, at: now)
            XCTAssertTrue(repeated.isNoOp, "\(reversal) twice")
        }
        XCTAssertThrowsError(try PaymentMachine.apply(.recordReversal(attemptID: attempt.id, reversal: .refunded), to: open, attempt: attempt, at: now),
                             "no reversal for an attempt that had no late success")
    }

    func testPartialCapturesAreOverwritten_aSuccessKeepsWhatTheProviderCaptured() throws {
        let (open, attempt) = try started("py_a", on: intent(capture: .manual))
        let authorised = try record(.requiresCapture, attempt, open)
        XCTAssertEqual(authorised.intent.amountCapturable, 1000)
        let partial = try record(.succeeded, authorised.attempt!, authorised.intent, amounts: ProviderAmounts(received: 600, capturable: 0))
        XCTAssertEqual(partial.intent.amountReceived, 600, "a webhook of a partial capture records the partial amount")
        XCTAssertEqual(partial.intent.amountRefundable, 600)
        let unknown = try record(.succeeded, authorised.attempt!, authorised.intent)
        XCTAssertEqual(unknown.intent.amountReceived, 1000, "without an amount, what was capturable")
        let tooMuch = try record(.succeeded, authorised.attempt!, authorised.intent, amounts: ProviderAmounts(received: 5000))
        XCTAssertEqual(tooMuch.intent.amountReceived, 1000, "never more than was authorised")
        let lessAuthorised = try record(.requiresCapture, attempt, open, amounts: ProviderAmounts(capturable: 700))
        XCTAssertEqual(lessAuthorised.intent.amountCapturable, 700)
    }
}

private enum SandboxLikeFailure {
    static let timeout = PaymentFailure(kind: .cardError, code: "authentication_timeout", declineCode: nil, message: "late")
}

/// When unfinished attempts and refunds are checked (issue 6, 1.3).
final class StatusCheckScheduleTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let schedule = StatusCheckSchedule(firstCheckAfter: 60, maximumInterval: 3600, actionTimeout: 3600)

    func testChecksBackOffByDoublingUpToTheMaximum() {
        XCTAssertEqual((0...8).map { schedule.delay(afterChecks: $0) }, [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600])
        XCTAssertEqual(schedule.nextCheck(status: .processing, changedAt: now, checks: 0, now: now), now.addingTimeInterval(60))
        XCTAssertEqual(schedule.nextCheck(status: .processing, changedAt: now, checks: 3, now: now), now.addingTimeInterval(480))
    }

    func testFinalAttemptsAndRefundsAreNeverCheckedAgain() {
        for status in [PaymentAttemptStatus.succeeded, .failed, .canceled] {
            XCTAssertNil(schedule.nextCheck(status: status, changedAt: now, checks: 0, now: now))
        }
        XCTAssertNil(schedule.nextCheck(refund: .succeeded, checks: 0, now: now))
        XCTAssertEqual(schedule.nextCheck(refund: .pending, checks: 1, now: now), now.addingTimeInterval(120))
    }

    func testAnAttemptWaitingForItsCustomerIsCheckedByTheMomentItExpires() {
        let changed = now.addingTimeInterval(-3500)
        XCTAssertEqual(schedule.nextCheck(status: .requiresAction, changedAt: changed, checks: 6, now: now), now.addingTimeInterval(100))
        XCTAssertFalse(schedule.actionHasExpired(status: .requiresAction, changedAt: changed, now: now))
        XCTAssertTrue(schedule.actionHasExpired(status: .requiresAction, changedAt: changed, now: now.addingTimeInterval(100)))
        XCTAssertFalse(schedule.actionHasExpired(status: .processing, changedAt: changed, now: now.addingTimeInterval(100)))
    }
}
