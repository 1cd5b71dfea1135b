/// Everything that can happen to a payment intent. Each goes through `PaymentMachine.apply`.
public enum PaymentCommand: Equatable, Sendable {
    /// A new attempt (in `pending`) is about to be sent to its provider.
    case startAttempt(PaymentAttempt)
    /// The provider said how an attempt stands: in its answer, a webhook, or a status check.
    case recordOutcome(attemptID: PaymentAttemptID, outcome: ProviderOutcome, providerReference: String?)
    /// Take an authorised amount (all of it when nil).
    case capture(amount: Int64?)
    case cancel(reason: CancellationReason?)

    public var name: String {
        switch self {
        case .startAttempt: "start_attempt"
        case .recordOutcome: "record_outcome"
        case .capture: "capture"
        case .cancel: "cancel"
        }
    }
}

/// How a provider reports an attempt, whatever its own vocabulary.
public enum ProviderOutcome: Equatable, Sendable {
    case succeeded
    case requiresCapture
    case requiresAction(NextAction)
    case processing
    case failed(PaymentFailure)
    case canceled

    var attemptStatus: PaymentAttemptStatus {
        switch self {
        case .succeeded: .succeeded
        case .requiresCapture: .requiresCapture
        case .requiresAction: .requiresAction
        case .processing: .processing
        case .failed: .failed
        case .canceled: .canceled
        }
    }
}
