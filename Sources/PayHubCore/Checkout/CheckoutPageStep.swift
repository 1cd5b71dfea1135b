/// What the hosted checkout shows for a session at this moment: a pure function of the session's and its intent's
/// states, so every page (and its pending poller) agrees on where the customer stands.
public enum CheckoutPageStep: Equatable, Sendable {
    /// Choose a method and pay; `lastFailure` says why the previous attempt did not go through.
    case choose(lastFailure: PaymentFailure?)
    /// The provider's page (3-D Secure, a wallet, a bank) is where the customer goes next.
    case handOff(url: String)
    /// A step the customer takes on the checkout page itself: an OTP, a USSD prompt, a QR code, a bank transfer.
    case inPage(NextAction)
    /// The provider has not said how it ended yet.
    case pending
    /// Paid (or authorised, for a manual capture).
    case succeeded
    /// The session ran out of time or the shop ended it: it can no longer be paid.
    case expired

    /// Whether the customer may start an attempt now.
    public var acceptsPayment: Bool {
        if case .choose = self { return true }
        return false
    }

    /// Whether the outcome is known and will not change.
    public var isFinal: Bool { self == .succeeded || self == .expired }

    public static func of(
        session: CheckoutSessionStatus, intent: PaymentIntentStatus, nextAction: NextAction?, lastFailure: PaymentFailure?
    ) -> CheckoutPageStep {
        switch (session, intent) {
        case (.complete, _), (_, .succeeded), (_, .requiresCapture):
            return .succeeded
        case (.expired, _), (_, .canceled):
            return .expired
        case (.open, .processing):
            return .pending
        case (.open, .requiresAction):
            switch nextAction {
            case .redirectToURL(let url, _)?: return .handOff(url: url)
            case let action?: return .inPage(action)
            case nil: return .pending
            }
        case (.open, .requiresPaymentMethod):
            return .choose(lastFailure: lastFailure)
        }
    }
}
