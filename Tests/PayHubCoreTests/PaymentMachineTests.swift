import Foundation
import PayHubCore
import XCTest

/// Every intent state against every command, legal and illegal.
final class PaymentMachineTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let eur = try! Currency(code: "EUR")
    let attemptID = PaymentAttemptID(rawValue: "py_active")
    let failure = PaymentFailure(kind: .cardError, code: "card_declined", declineCode: "generic_decline", message: "Declined.")
    let redirect = NextAction.redirectToURL(url: "https://provider.example/3ds", returnURL: nil)

    /// The states an intent can be in, each with its active attempt as the machine would have left it.
    enum Fixture: CaseIterable {
        case fresh, attemptPending, requiresAction, processing, requiresCapture, succeeded, canceled
    }

    func make(_ fixture: Fixture, capture: CaptureMethod = .manual) throws -> (PaymentIntent, PaymentAttempt?) {
        var intent = PaymentIntent(
            id: PaymentIntentID(rawValue: "pi_1"), amount: Money(minorUnits: 1000, currency: eur), captureMethod: capture,
            createdAt: now)
        if fixture == .fresh { return (intent, nil) }
        let start = try PaymentMachine.apply(.startAttempt(newAttempt()), to: intent, attempt: nil, at: now)
        intent = start.intent
        let attempt = start.attempt!
        let outcome: ProviderOutcome? = switch fixture {
        case .fresh, .attemptPending: nil
        case .requiresAction: .requiresAction(redirect)
        case .processing: .processing
        case .requiresCapture: .requiresCapture
        case .succeeded: .succeeded
        case .canceled: nil
        }
        if fixture == .canceled {
            let canceled = try PaymentMachine.apply(.cancel(reason: nil), to: intent, attempt: attempt, at: now)
            return (canceled.intent, canceled.attempt)
        }
        guard let outcome else { return (intent, attempt) }
        let result = try PaymentMachine.apply(
            .recordOutcome(attemptID: attemptID, outcome: outcome, providerReference: "ref_1"), to: intent, attempt: attempt, at: now)
        return (result.intent, result.attempt)
    }

    func newAttempt() -> PaymentAttempt {
        PaymentAttempt(id: attemptID, paymentIntentID: PaymentIntentID(rawValue: "pi_1"), provider: "sandbox", methodType: "card", createdAt: now)
    }

    enum Expect: Equatable {
        case moves(to: PaymentIntentStatus, events: [EventType])
        case noOp
        case refused(String)
    }

    func outcomeCommand(_ outcome: ProviderOutcome) -> PaymentCommand {
        .recordOutcome(attemptID: attemptID, outcome: outcome, providerReference: "ref_1")
    }

    func commands() -> [(String, PaymentCommand)] {
        [
            ("start", .startAttempt(newAttempt())),
            ("succeeded", outcomeCommand(.succeeded)),
            ("requires_capture", outcomeCommand(.requiresCapture)),
            ("requires_action", outcomeCommand(.requiresAction(redirect))),
            ("processing", outcomeCommand(.processing)),
            ("failed", outcomeCommand(.failed(failure))),
            ("provider_canceled", outcomeCommand(.canceled)),
            ("capture", .capture(amount: nil)),
            ("capture_partial", .capture(amount: 400)),
            ("capture_too_much", .capture(amount: 1001)),
            ("capture_zero", .capture(amount: 0)),
            ("cancel", .cancel(reason: .requestedByCustomer)),
        ]
    }

    /// The expected result of each command in each state (manual capture).
    func expected(_ fixture: Fixture, _ command: String) -> Expect {
        let unexpected = "payment_intent_unexpected_state"
        let notActive = "payment_attempt_not_active"
        let canceled = Expect.moves(to: .canceled, events: [.paymentIntentCanceled])
        let outcomes: [String: Expect] = [
            "succeeded": .moves(to: .succeeded, events: [.paymentIntentSucceeded]),
            "requires_capture": .moves(to: .requiresCapture, events: [.paymentIntentRequiresCapture]),
            "requires_action": .moves(to: .requiresAction, events: [.paymentIntentRequiresAction]),
            "processing": .moves(to: .processing, events: [.paymentIntentProcessing]),
            "failed": .moves(to: .requiresPaymentMethod, events: [.paymentIntentPaymentFailed]),
            "provider_canceled": canceled,
        ]
        let captures = ["capture", "capture_partial", "capture_too_much", "capture_zero"]
        switch fixture {
        case .fresh:
            if command == "start" { return .moves(to: .requiresPaymentMethod, events: []) }
            if command == "cancel" { return canceled }
            if captures.contains(command) { return .refused(unexpected) }
            return .refused(notActive)
        case .attemptPending:
            if command == "start" { return .refused("payment_attempt_in_progress") }
            if command == "cancel" { return canceled }
            if captures.contains(command) { return .refused(unexpected) }
            return outcomes[command]!
        case .requiresAction, .processing:
            if command == "start" || captures.contains(command) { return .refused(unexpected) }
            if command == "cancel" { return canceled }
            if (fixture == .requiresAction && command == "requires_action") || (fixture == .processing && command == "processing") {
                return .noOp
            }
            return outcomes[command]!
        case .requiresCapture:
            switch command {
            case "start", "requires_action", "processing": return .refused(unexpected)
            case "requires_capture": return .noOp
            case "capture", "capture_partial": return .moves(to: .succeeded, events: [.paymentIntentSucceeded])
            case "capture_too_much": return .refused("amount_too_large")
            case "capture_zero": return .refused("amount_invalid")
            case "cancel": return canceled
            default: return outcomes[command]!
            }
        case .succeeded:
            if command == "succeeded" { return .noOp }
            if command == "start" || command == "cancel" || captures.contains(command) { return .refused(unexpected) }
            return .refused(notActive)
        case .canceled:
            if command == "provider_canceled" { return .noOp }
            if command == "start" || command == "cancel" || captures.contains(command) { return .refused(unexpected) }
            // A success after the cancel is never dropped: it is recorded, to be given back.
            if command == "succeeded" || command == "requires_capture" { return .moves(to: .canceled, events: [.paymentIntentLateSuccess]) }
            return .refused(notActive)
        }
    }

    func testEveryStateAgainstEveryCommand() throws {
        var checked = 0
        for fixture in Fixture.allCases {
            for (name, command) in commands() {
                let (intent, attempt) = try make(fixture)
                let expectation = expected(fixture, name)
                let label = "\(fixture) + \(name)"
                do {
                    let result = try PaymentMachine.apply(command, to: intent, attempt: attempt, at: now.addingTimeInterval(1))
                    switch expectation {
                    case .moves(let status, let events):
                        XCTAssertEqual(result.intent.status, status, label)
                        XCTAssertEqual(result.events, events, label)
                        assertInvariants(result.intent, label)
                    case .noOp:
                        XCTAssertTrue(result.isNoOp, label)
                        XCTAssertEqual(result.intent, intent, label)
                    case .refused(let code):
                        XCTFail("\(label): expected \(code), got \(result.intent.status)")
                    }
                } catch {
                    XCTAssertEqual(expectation, .refused(error.code), label)
                }
                checked += 1
            }
        }
        XCTAssertEqual(checked, Fixture.allCases.count * commands().count)
    }

    func assertInvariants(_ intent: PaymentIntent, _ label: String) {
        XCTAssertGreaterThanOrEqual(intent.amountCapturable, 0, label)
        XCTAssertLessThanOrEqual(intent.amountReceived, intent.amount.minorUnits, label)
        if intent.status == .requiresCapture { XCTAssertEqual(intent.amountCapturable, intent.amount.minorUnits, label) }
        if intent.status != .requiresCapture { XCTAssertEqual(intent.amountCapturable, 0, label) }
        if intent.status == .succeeded { XCTAssertGreaterThan(intent.amountReceived, 0, label) }
        if intent.status == .requiresPaymentMethod, intent.activeAttemptID == nil, intent.lastPaymentError == nil {
            XCTAssertEqual(intent.amountReceived, 0, label)
        }
    }

    func testAutomaticCaptureRefusesAnAuthorisationOutcome() throws {
        let (intent, attempt) = try make(.attemptPending, capture: .automatic)
        XCTAssertThrowsError(try PaymentMachine.apply(outcomeCommand(.requiresCapture), to: intent, attempt: attempt, at: now)) {
            XCTAssertEqual(($0 as? PaymentRuleViolation)?.code, "provider_outcome_unexpected")
        }
    }

    func testPartialCaptureTakesOnlyWhatWasAsked() throws {
        let (intent, attempt) = try make(.requiresCapture)
        let result = try PaymentMachine.apply(.capture(amount: 400), to: intent, attempt: attempt, at: now)
        XCTAssertEqual(result.intent.amountReceived, 400)
        XCTAssertEqual(result.intent.amountCapturable, 0)
        XCTAssertEqual(result.attempt?.status, .succeeded)
        XCTAssertThrowsError(try PaymentMachine.apply(.capture(amount: 100), to: result.intent, attempt: result.attempt, at: now))
    }

    func testAFailedAttemptLeavesTheIntentOpenForAnother() throws {
        let (intent, attempt) = try make(.attemptPending)
        let failed = try PaymentMachine.apply(outcomeCommand(.failed(failure)), to: intent, attempt: attempt, at: now)
        XCTAssertEqual(failed.intent.status, .requiresPaymentMethod)
        XCTAssertNil(failed.intent.activeAttemptID)
        XCTAssertEqual(failed.intent.lastPaymentError, failure)
        XCTAssertEqual(failed.attempt?.failure, failure)
        var second = newAttempt()
        second.id = PaymentAttemptID(rawValue: "py_second")
        let retried = try PaymentMachine.apply(.startAttempt(second), to: failed.intent, attempt: nil, at: now)
        XCTAssertEqual(retried.intent.activeAttemptID, second.id)
    }

    func testAnOutcomeForAnotherAttemptIsRefused() throws {
        let (intent, attempt) = try make(.attemptPending)
        XCTAssertThrowsError(try PaymentMachine.apply(
            .recordOutcome(attemptID: PaymentAttemptID(rawValue: "py_other"), outcome: .succeeded, providerReference: nil),
            to: intent, attempt: attempt, at: now))
    }

    func testCancelCancelsTheActiveAttempt() throws {
        let (intent, attempt) = try make(.requiresAction)
        let result = try PaymentMachine.apply(.cancel(reason: .fraudulent), to: intent, attempt: attempt, at: now)
        XCTAssertEqual(result.attempt?.status, .canceled)
        XCTAssertNil(result.attempt?.nextAction)
        XCTAssertEqual(result.intent.cancellationReason, .fraudulent)
    }
}

extension Error {
    var code: String { (self as? PaymentRuleViolation)?.code ?? "\(self)" }
}
