import Foundation

/// The result of a command: the new intent, the attempt it touched, and the events to record with them.
public struct PaymentTransition: Equatable, Sendable {
    public var intent: PaymentIntent
    public var attempt: PaymentAttempt?
    public var events: [EventType]
    /// Set when the attempt changed without an event to report (a late success already being given back).
    public var writesAttempt: Bool

    public init(intent: PaymentIntent, attempt: PaymentAttempt?, events: [EventType], writesAttempt: Bool = false) {
        self.intent = intent
        self.attempt = attempt
        self.events = events
        self.writesAttempt = writesAttempt
    }

    /// True when the command repeated what was already known (a duplicate webhook, say): nothing to write.
    public var isNoOp: Bool { events.isEmpty && !writesAttempt }
    /// True when a late success must now be given back (voided or refunded) by a job.
    public var startsReversal: Bool { events.contains(.paymentIntentLateSuccess) }
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
            guard newAttempt.paymentIntentID == intent.id else { throw .attemptOfAnotherIntent }
            newAttempt.status = .pending
            intent.activeAttemptID = newAttempt.id
            intent.updatedAt = now
            return PaymentTransition(intent: intent, attempt: newAttempt, events: [])

        case .recordOutcome(let attemptID, let outcome, let reference, let amounts):
            guard var attempt, attempt.id == attemptID else { throw .attemptNotActive(attemptID) }
            if attempt.status == outcome.attemptStatus && attempt.nextAction == outcome.nextAction {
                return PaymentTransition(intent: intent, attempt: attempt, events: [])
            }
            let counts = intent.activeAttemptID == attemptID && !attempt.status.isFinal && !intent.status.isTerminal
            if !counts {
                // Only news that the money moved matters now; stale news about the success that counts does not.
                let countedSuccess = attempt.lateSuccessReversal == nil && (attempt.status == .succeeded || attempt.status == .requiresCapture)
                guard outcome.isSuccess, !countedSuccess else { throw .attemptNotActive(attemptID) }
                if intent.status == .requiresPaymentMethod && intent.activeAttemptID == nil && attempt.lateSuccessReversal == nil {
                    // The customer paid after all, and the intent still waits for a payment: it is this one.
                    intent.activeAttemptID = attemptID
                } else {
                    return lateSuccess(of: attempt, outcome: outcome, reference: reference, amounts: amounts, intent: intent, at: now)
                }
            }
            if attempt.status == .requiresCapture, ![.succeeded, .canceled].contains(outcome.attemptStatus),
               !{ if case .failed = outcome { return true } else { return false } }() {
                throw .unexpectedState(intent.status, command: "record_outcome(\(outcome.attemptStatus.rawValue))")
            }
            let previous = attempt.status
            if let reference { attempt.providerReference = reference }
            attempt.status = outcome.attemptStatus
            attempt.updatedAt = now
            intent.updatedAt = now
            attempt.nextAction = outcome.nextAction
            switch outcome {
            case .succeeded:
                // Never more than was authorised; a partial capture the provider reports is kept as it is.
                let ceiling = previous == .requiresCapture ? intent.amountCapturable : intent.amount.minorUnits
                let received = min(amounts.received ?? ceiling, ceiling)
                intent.status = .succeeded
                intent.amountCapturable = 0
                intent.amountReceived = received
                attempt.amountReceived = received
                return PaymentTransition(intent: intent, attempt: attempt, events: [.paymentIntentSucceeded])
            case .requiresCapture:
                guard intent.captureMethod == .manual else { throw .manualCaptureOutcomeOnAutomaticIntent }
                intent.status = .requiresCapture
                intent.amountCapturable = min(amounts.capturable ?? intent.amount.minorUnits, intent.amount.minorUnits)
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

        case .recordReversal(let attemptID, let reversal):
            guard var attempt, attempt.id == attemptID, let current = attempt.lateSuccessReversal else {
                throw .attemptNotActive(attemptID)
            }
            if current == reversal || current.isFinal || reversal == .pending {
                return PaymentTransition(intent: intent, attempt: attempt, events: [])
            }
            attempt.lateSuccessReversal = reversal
            if reversal == .voided { attempt.status = .canceled }
            attempt.updatedAt = now
            intent.updatedAt = now
            let event: EventType = if case .failed = reversal { .paymentIntentLateSuccessReversalFailed } else { .paymentIntentLateSuccessReversed }
            return PaymentTransition(intent: intent, attempt: attempt, events: [event])

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
            attempt.amountReceived = captured
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

extension PaymentMachine {
    /// A success for an attempt that no longer counts (its intent was canceled, or paid by another attempt): it
    /// is recorded on its attempt, never dropped, and marked to be given back.
    private static func lateSuccess(
        of attempt: PaymentAttempt, outcome: ProviderOutcome, reference: String?, amounts: ProviderAmounts,
        intent: PaymentIntent, at now: Date
    ) -> PaymentTransition {
        var attempt = attempt
        let firstNews = attempt.lateSuccessReversal == nil
        if let reference { attempt.providerReference = reference }
        attempt.status = outcome.attemptStatus
        attempt.nextAction = nil
        attempt.updatedAt = now
        if outcome == .succeeded { attempt.amountReceived = min(amounts.received ?? intent.amount.minorUnits, intent.amount.minorUnits) }
        guard firstNews else {
            // Already being given back: keep the provider's latest word for the reversal job (void or refund).
            return PaymentTransition(intent: intent, attempt: attempt, events: [], writesAttempt: true)
        }
        attempt.lateSuccessReversal = .pending
        var intent = intent
        intent.updatedAt = now
        return PaymentTransition(intent: intent, attempt: attempt, events: [.paymentIntentLateSuccess])
    }
}

extension ProviderOutcome {
    public var isSuccess: Bool { self == .succeeded || self == .requiresCapture }

    public var nextAction: NextAction? {
        if case .requiresAction(let action) = self { return action }
        return nil
    }
}
