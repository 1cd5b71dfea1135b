/// Everything that can happen to a payment intent. Each goes through `PaymentMachine.apply`.
public enum PaymentCommand: Equatable, Sendable {
    /// A new attempt (in `pending`) is about to be sent to its provider.
    case startAttempt(PaymentAttempt)
    /// The provider said how an attempt stands: in its answer, a webhook, or a status check.
    /// `amounts` is what the provider says it captured and may still capture, when it says.
    case recordOutcome(attemptID: PaymentAttemptID, outcome: ProviderOutcome, providerReference: String?, amounts: ProviderAmounts = .unknown)
    /// How the automatic reversal of a late success ended (see `PaymentMachine`).
    case recordReversal(attemptID: PaymentAttemptID, reversal: LateSuccessReversal)
    /// Take an authorised amount (all of it when nil).
    case capture(amount: Int64?)
    case cancel(reason: CancellationReason?)

    public var name: String {
        switch self {
        case .startAttempt: "start_attempt"
        case .recordOutcome: "record_outcome"
        case .recordReversal: "record_reversal"
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

    public var attemptStatus: PaymentAttemptStatus {
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

/// The amounts a provider reports with an outcome, in the intent's minor units; nil when it does not say.
public struct ProviderAmounts: Equatable, Sendable {
    public var received: Int64?
    public var capturable: Int64?

    public init(received: Int64? = nil, capturable: Int64? = nil) {
        self.received = received
        self.capturable = capturable
    }

    public static let unknown = ProviderAmounts()
}

/// A success that arrived for an attempt PayHub no longer counts on (its intent was canceled, or paid by another
/// attempt) is given back automatically: voided while it is only authorised, refunded once captured.
public enum LateSuccessReversal: Equatable, Sendable {
    /// Not given back yet: a job is on it.
    case pending
    case voided
    case refunded
    /// The provider refused; an operator must act. The reason is the provider's.
    case failed(reason: String)

    public var isFinal: Bool { self != .pending }
}
