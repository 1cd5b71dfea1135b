import Foundation

/// The result of a command: the new intent, the attempt it touched, and the events to record with them.
public struct PaymentTransition: Equatable, Sendable {
    public var intent: PaymentIntent
    public var attempt: PaymentAttempt?
    public var events: [EventType]

    /// True when the command repeated what was already known (a duplicate webhook, say): nothing to write.
    public var isNoOp: Bool { events.isEmpty }
}

/// The one function every change to a payment intent goes through.
public enum PaymentMachine {
    /// Applies `command` to `intent`. `attempt` is the attempt the command concerns (the active one for
    /// outcomes, capture and cancel), as stored; it is ignored by `startAttempt`, which carries its own.
    public static func apply(
        _ command: PaymentCommand, to intent: PaymentIntent, attempt: PaymentAttempt?, at now: Date
    ) throws(PaymentRuleViolation) -> PaymentTransition {
        var intent = intent
        switch command {
        case .startAttempt(var newAttempt):
            guard intent.status == .requiresPaymentMethod else {
                throw .unexpectedState(intent.status, command: command.name)
            }
            if let active = intent.activeAttemptID { throw .attemptInProgress(active) }
            guard newAttempt.paymentIntentID == intent.id else { throw .attemptAmountMismatch }
            newAttempt.status = .pending
            intent.activeAttemptID = newAttempt.id
            intent.updatedAt = now
            return PaymentTransition(intent: intent, attempt: newAttempt, events: [])

        case .recordOutcome(let attemptID, let outcome, let reference):
            guard var attempt, attempt.id == attemptID else { throw .attemptNotActive(attemptID) }
            if attempt.status == outcome.attemptStatus && attempt.nextAction == outcome.nextAction {
                return PaymentTransition(intent: intent, attempt: attempt, events: [])
            }
            guard intent.activeAttemptID == attemptID, !attempt.status.isFinal, !intent.status.isTerminal else {
                throw .attemptNotActive(attemptID)
            }
            if attempt.status == .requiresCapture, ![.succeeded, .canceled].contains(outcome.attemptStatus),
               !{ if case .failed = outcome { return true } else { return false } }() {
                throw .unexpectedState(intent.status, command: "record_outcome(\(outcome.attemptStatus.rawValue))")
            }
            if let reference { attempt.providerReference = reference }
            attempt.status = outcome.attemptStatus
            attempt.updatedAt = now
            intent.updatedAt = now
            attempt.nextAction = outcome.nextAction
            switch outcome {
            case .succeeded:
                intent.status = .succeeded
                intent.amountCapturable = 0
                intent.amountReceived = intent.amount.minorUnits
                return PaymentTransition(intent: intent, attempt: attempt, events: [.paymentIntentSucceeded])
            case .requiresCapture:
                guard intent.captureMethod == .manual else { throw .manualCaptureOutcomeOnAutomaticIntent }
                intent.status = .requiresCapture
                intent.amountCapturable = intent.amount.minorUnits
                return PaymentTransition(intent: intent, attempt: attempt, events: [.paymentIntentRequiresCapture])
            case .requiresAction:
                intent.status = .requiresAction
                return PaymentTransition(intent: intent, attempt: attempt, events: [.paymentIntentRequiresAction])
            case .processing:
                intent.status = .processing
                return PaymentTransition(intent: intent, attempt: attempt, events: [.paymentIntentProcessing])
            case .failed(let failure):
                attempt.failure = failure
                intent.status = .requiresPaymentMethod
                intent.activeAttemptID = nil
                intent.amountCapturable = 0
                intent.lastPaymentError = failure
                return PaymentTransition(intent: intent, attempt: attempt, events: [.paymentIntentPaymentFailed])
            case .canceled:
                intent.status = .canceled
                intent.amountCapturable = 0
                intent.cancellationReason = intent.cancellationReason ?? .expired
                return PaymentTransition(intent: intent, attempt: attempt, events: [.paymentIntentCanceled])
            }

        case .capture(let amount):
            guard intent.status == .requiresCapture else { throw .unexpectedState(intent.status, command: command.name) }
            guard var attempt, attempt.id == intent.activeAttemptID else {
                throw .attemptNotActive(attempt?.id ?? PaymentAttemptID(rawValue: "py_none"))
            }
            let captured = amount ?? intent.amountCapturable
            guard captured > 0 else { throw .invalidAmount(captured, param: "amount") }
            guard captured <= intent.amountCapturable else {
                throw .captureAmountTooLarge(requested: captured, capturable: intent.amountCapturable)
            }
            attempt.status = .succeeded
            attempt.updatedAt = now
            intent.status = .succeeded
            intent.amountReceived = captured
            intent.amountCapturable = 0
            intent.updatedAt = now
            return PaymentTransition(intent: intent, attempt: attempt, events: [.paymentIntentSucceeded])

        case .cancel(let reason):
            guard !intent.status.isTerminal else { throw .unexpectedState(intent.status, command: command.name) }
            var touched = attempt
            if var active = attempt, active.id == intent.activeAttemptID, !active.status.isFinal {
                active.status = .canceled
                active.nextAction = nil
                active.updatedAt = now
                touched = active
            }
            intent.status = .canceled
            intent.cancellationReason = reason ?? .requestedByCustomer
            intent.amountCapturable = 0
            intent.updatedAt = now
            return PaymentTransition(intent: intent, attempt: touched, events: [.paymentIntentCanceled])
        }
    }
}

extension ProviderOutcome {
    var nextAction: NextAction? {
        if case .requiresAction(let action) = self { return action }
        return nil
    }
}
