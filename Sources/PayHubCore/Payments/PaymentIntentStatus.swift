/// The states of a payment intent (Stripe's names, which HUB2 and Hyperswitch mirror closely).
public enum PaymentIntentStatus: String, CaseIterable, Codable, Sendable {
    case requiresPaymentMethod = "requires_payment_method"
    case requiresAction = "requires_action"
    case processing
    case requiresCapture = "requires_capture"
    case succeeded
    case canceled

    /// Nothing changes an intent after these, except refunds of a succeeded one.
    public var isTerminal: Bool { self == .succeeded || self == .canceled }
}

public enum CaptureMethod: String, CaseIterable, Codable, Sendable {
    /// Funds are captured as soon as the provider authorises them.
    case automatic
    /// The provider only authorises; the merchant captures later (fully or partially, once).
    case manual
}

/// The states of one payment attempt on an intent. An intent has at most one active attempt at a time.
public enum PaymentAttemptStatus: String, CaseIterable, Codable, Sendable {
    /// Recorded before the provider is called, so a crash mid-call leaves a trace the poller resolves.
    case pending
    case requiresAction = "requires_action"
    case processing
    case requiresCapture = "requires_capture"
    case succeeded
    case failed
    case canceled

    public var isFinal: Bool { self == .succeeded || self == .failed || self == .canceled }
}

public enum CancellationReason: String, CaseIterable, Codable, Sendable {
    case duplicate
    case fraudulent
    case requestedByCustomer = "requested_by_customer"
    case abandoned
    case expired
}
