import PayHubCore

/// What the sandbox provider will do with a payment, chosen by the test token or phone number the client sent.
/// The sandbox is stateless: the scenario, the capture method and the moment the payment settles are encoded in
/// the reference it returns (`sbx_py_<scenario>_<a|m>_<due unix ms>_<random>`), so any PayHub process can answer
/// a status check for it.
enum SandboxScenario: String, CaseIterable {
    case success = "ok"
    case declined = "dcl"
    case insufficientFunds = "nsf"
    case expiredCard = "exp"
    case threeDSecure = "3ds"
    case asyncSuccess = "async"
    case asyncDecline = "asyncdcl"
    case refundFails = "rfail"
    case otp = "otp"
    case ussdSuccess = "ussd"
    case ussdFailure = "ussdf"
    case qrCode = "qr"
    case redirectWallet = "wallet"
    /// A bank's page (iDEAL-like), where the customer approves or fails.
    case bankRedirect = "bank"
    /// Buy now, pay later: the lender's page, where the customer accepts the plan or not.
    case buyNowPayLater = "bnpl"
    /// Instructions for a bank transfer; the money arrives asynchronously.
    case bankTransfer = "bt"
    /// A card without a token: the customer picks a test card on the sandbox's card page (and, for a card that
    /// asks for it, answers 3-D Secure there).
    case cardPage = "card"

    /// The card tokens the README documents.
    static let cardTokens: [String: SandboxScenario] = [
        "tok_visa": .success,
        "tok_mastercard": .success,
        "tok_amex": .success,
        "tok_declined": .declined,
        "tok_insufficient_funds": .insufficientFunds,
        "tok_expired_card": .expiredCard,
        "tok_threeds": .threeDSecure,
        "tok_processing": .asyncSuccess,
        "tok_processing_declined": .asyncDecline,
        "tok_refund_fails": .refundFails,
        SandboxSavedMethod.declinesAfterSaveToken: .success,
    ]

    /// Wallet tokens that pay at once, as a wallet's sheet (Apple Pay, Google Pay) hands them over.
    static let walletTokens: [String: SandboxScenario] = [
        "tok_applepay": .success,
        "tok_googlepay": .success,
        "tok_wallet_declined": .declined,
    ]

    /// Mobile money picks its flow by the phone number's last digit.
    static func mobileMoney(msisdn: String) -> SandboxScenario {
        switch msisdn.last {
        case "2": .ussdSuccess
        case "3": .ussdFailure
        case "4": .insufficientFunds
        default: .otp
        }
    }

    /// Failures known at once, with the provider's code.
    var immediateFailure: PaymentFailure? {
        switch self {
        case .declined:
            PaymentFailure(kind: .cardError, code: "card_declined", declineCode: "generic_decline", message: "Your card was declined.")
        case .insufficientFunds:
            PaymentFailure(
                kind: .cardError, code: "card_declined", declineCode: "insufficient_funds",
                message: "Your card has insufficient funds.")
        case .expiredCard:
            PaymentFailure(kind: .cardError, code: "expired_card", declineCode: "expired_card", message: "Your card has expired.")
        default: nil
        }
    }

    /// Scenarios that settle by themselves after the sandbox's delay, reported by a signed webhook.
    var settlesAsynchronously: Bool {
        [.asyncSuccess, .asyncDecline, .ussdSuccess, .ussdFailure, .qrCode, .bankTransfer].contains(self)
    }

    /// Scenarios that wait for the customer (3-D Secure page, wallet page, OTP) until they expire.
    var waitsForCustomer: Bool { [.threeDSecure, .otp, .redirectWallet, .bankRedirect, .buyNowPayLater, .cardPage].contains(self) }

    /// Scenarios decided by the customer on the sandbox's page.
    var decidedOnPage: Bool { [.threeDSecure, .redirectWallet, .bankRedirect, .buyNowPayLater, .cardPage].contains(self) }

    var settlesAsFailure: Bool { [.asyncDecline, .ussdFailure].contains(self) }
}

/// A parsed sandbox payment or refund reference.
struct SandboxReference {
    static let paymentPrefix = "sbx_py_"
    static let refundPrefix = "sbx_re_"

    var scenario: SandboxScenario
    var manualCapture: Bool
    var dueMilliseconds: Int64
    /// The method saved when the payment succeeds (`saveForOffSession`), as its capture letter's suffix: `s` saves
    /// a method that keeps succeeding, `d` one that declines off-session (`a`/`m` alone: nothing is saved).
    var saves: SandboxSavedMethod?

    func payment(random: String) -> String {
        let save = switch saves {
        case .succeeds?: "s"
        case .declines?: "d"
        case nil: ""
        }
        return "\(Self.paymentPrefix)\(scenario.rawValue)_\(manualCapture ? "m" : "a")\(save)_\(dueMilliseconds)_\(random)"
    }

    init(scenario: SandboxScenario, manualCapture: Bool, dueMilliseconds: Int64, saves: SandboxSavedMethod? = nil) {
        self.scenario = scenario
        self.manualCapture = manualCapture
        self.dueMilliseconds = dueMilliseconds
        self.saves = saves
    }

    init?(payment reference: String) {
        guard reference.hasPrefix(Self.paymentPrefix) else { return nil }
        let parts = reference.dropFirst(Self.paymentPrefix.count).split(separator: "_")
        guard parts.count == 4, let scenario = SandboxScenario(rawValue: String(parts[0])), let due = Int64(parts[2]),
              let capture = parts[1].first, capture == "a" || capture == "m", parts[1].count <= 2
        else { return nil }
        let saves: SandboxSavedMethod?
        switch parts[1].dropFirst() {
        case "": saves = nil
        case "s": saves = .succeeds
        case "d": saves = .declines
        default: return nil
        }
        self.init(scenario: scenario, manualCapture: capture == "m", dueMilliseconds: due, saves: saves)
    }
}

/// A parsed sandbox refund reference: `sbx_re_<ok|fail>_<due unix ms>_<random>`.
struct SandboxRefundReference {
    var fails: Bool
    var dueMilliseconds: Int64

    func string(random: String) -> String {
        "\(SandboxReference.refundPrefix)\(fails ? "fail" : "ok")_\(dueMilliseconds)_\(random)"
    }

    init(fails: Bool, dueMilliseconds: Int64) {
        self.fails = fails
        self.dueMilliseconds = dueMilliseconds
    }

    init?(_ reference: String) {
        guard reference.hasPrefix(SandboxReference.refundPrefix) else { return nil }
        let parts = reference.dropFirst(SandboxReference.refundPrefix.count).split(separator: "_")
        guard parts.count == 3, parts[0] == "ok" || parts[0] == "fail", let due = Int64(parts[1]) else { return nil }
        self.init(fails: parts[0] == "fail", dueMilliseconds: due)
    }
}
