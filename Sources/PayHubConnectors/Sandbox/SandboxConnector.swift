import Foundation
import PayHubCore

/// A simulated provider for test mode and demos: every flow a real provider has (success, decline, 3-D Secure
/// redirect, OTP, USSD, QR, asynchronous completion, refunds that settle later or fail), with no network.
public struct SandboxConnector: PaymentConnector {
    public static let name = "sandbox"
    public static let signatureHeader = "payhub-sandbox-signature"
    /// The one OTP code the sandbox accepts.
    public static let validOTP = "1234"

    /// Every method family the checkout can show.
    public static let methods: Set<String> = ["card", "wallet", "mobile_money", "bank_redirect", "bnpl", "bank_transfer", "qr"]

    /// The test cards the sandbox's card page offers: where a card payment without a token goes, as a provider's
    /// hosted card page would, so the shop's and PayHub's pages never see a card.
    public static let pageCards: [(token: String, label: String)] = [
        ("tok_visa", "Visa ending 4242: succeeds"),
        ("tok_threeds", "Visa ending 3184: asks for 3-D Secure"),
        ("tok_declined", "Visa ending 0002: declined"),
        ("tok_insufficient_funds", "Visa ending 9995: insufficient funds"),
        ("tok_expired_card", "Mastercard ending 0069: expired"),
    ]

    /// Whether this payment waits on the sandbox's card page (its customer has not chosen a card yet).
    public static func waitsOnCardPage(reference: String) -> Bool {
        SandboxReference(payment: reference)?.scenario == .cardPage
    }
    /// The account the sandbox's bank transfers go to.
    static let transferAccount = (holder: "PayHub Sandbox Collections", iban: "NL91ABNA0417164300", bic: "ABNANL2A")

    public var name: String { Self.name }
    public let capabilities = ConnectorCapabilities(
        methods: SandboxConnector.methods, currencies: nil, manualCapture: true, partialRefund: true,
        statusCheck: true, incomingWebhooks: true, otp: true,
        liveMode: false,  // a simulation: no money moves
        hostedCardPage: true,  // a card without a token goes to the sandbox's card page
        savedMethods: ["card"]  // a card paid with `saveForOffSession` can be charged off-session later
    )

    /// How long asynchronous payments and refunds take to settle.
    public var settlementDelay: TimeInterval
    /// How long a customer has to finish 3-D Secure, a wallet page or an OTP.
    public var customerActionTimeout: TimeInterval
    private let ids: any IDGenerator

    public init(
        settlementDelay: TimeInterval = 2, customerActionTimeout: TimeInterval = 15 * 60,
        ids: any IDGenerator = SecureRandomIDGenerator()
    ) {
        self.settlementDelay = settlementDelay
        self.customerActionTimeout = customerActionTimeout
        self.ids = ids
    }

    public func validateCredentials(_ credentials: ProviderCredentials) throws {
        _ = try credentials.required("webhook_secret")
    }

    public func authorize(_ request: ConnectorPaymentRequest, context: ConnectorContext) async throws -> ConnectorPaymentResult {
        if let saved = request.offSessionMethod { return try chargeOffSession(saved, request: request, context: context) }
        let scenario = try scenario(for: request.method)
        let delay = scenario.waitsForCustomer ? customerActionTimeout : settlementDelay
        let saves = request.saveForOffSession && request.method.type == "card" ? SandboxSavedMethod.saving(token: request.method.token) : nil
        let reference = SandboxReference(
            scenario: scenario, manualCapture: request.captureMethod == .manual,
            dueMilliseconds: Self.milliseconds(context.now.addingTimeInterval(delay)), saves: saves
        ).payment(random: ids.randomToken(length: 16))
        return result(reference, outcome: try currentOutcome(of: reference, context: context), token: request.method.token)
    }

    /// A renewal: the saved method is charged without the customer. The reference derives from the idempotency
    /// key, so a retry of the same renewal is the same payment.
    private func chargeOffSession(
        _ saved: SavedPaymentMethod, request: ConnectorPaymentRequest, context: ConnectorContext
    ) throws -> ConnectorPaymentResult {
        guard let behaviour = SandboxSavedMethod(reference: saved.methodReference) else {
            throw ConnectorError.invalidRequest(
                code: "payment_method_unsupported", message: "No such sandbox saved payment method.", param: "payment_method")
        }
        let reference = SandboxReference(
            scenario: behaviour.scenario, manualCapture: request.captureMethod == .manual,
            dueMilliseconds: Self.milliseconds(context.now)
        ).payment(random: SandboxSavedMethod.paymentToken(idempotencyKey: request.idempotencyKey))
        return ConnectorPaymentResult(providerReference: reference, outcome: try currentOutcome(of: reference, context: context))
    }

    /// A result, with the method it saved once the payment succeeded (or was authorised) when it was to save one.
    private func result(_ reference: String, outcome: ProviderOutcome, token: String?) -> ConnectorPaymentResult {
        guard outcome.isSuccess, let saves = SandboxReference(payment: reference)?.saves else {
            return ConnectorPaymentResult(providerReference: reference, outcome: outcome)
        }
        let saved = SavedPaymentMethod(
            customerReference: nil, methodReference: saves.reference(for: reference), type: "card",
            display: SandboxSavedMethod.display(token: token))
        return ConnectorPaymentResult(providerReference: reference, outcome: outcome, savedMethod: saved)
    }

    public func authenticate(reference: String, otp: String, context: ConnectorContext) async throws -> ConnectorPaymentResult {
        let parsed = try parse(reference)
        guard parsed.scenario == .otp else {
            throw ConnectorError.invalidRequest(
                code: "payment_attempt_unexpected_state", message: "This payment does not wait for an OTP.", param: "otp")
        }
        let outcome: ProviderOutcome
        if Self.milliseconds(context.now) >= parsed.dueMilliseconds {
            outcome = .failed(Self.authenticationExpired)
        } else if constantTimeEquals(Array(otp.utf8), Array(Self.validOTP.utf8)) {
            outcome = parsed.manualCapture ? .requiresCapture : .succeeded
        } else {
            outcome = .failed(PaymentFailure(
                kind: .cardError, code: "authentication_failed", declineCode: "invalid_otp",
                message: "The one-time password is not valid."))
        }
        return result(reference, outcome: outcome, token: nil)
    }

    public func capture(reference: String, amount: Money, context: ConnectorContext) async throws -> ConnectorPaymentResult {
        let parsed = try parse(reference)
        guard parsed.manualCapture else {
            throw ConnectorError.invalidRequest(
                code: "payment_intent_unexpected_state", message: "This payment was captured automatically.", param: nil)
        }
        return ConnectorPaymentResult(
            providerReference: reference, outcome: .succeeded, amounts: ProviderAmounts(received: amount.minorUnits, capturable: 0))
    }

    public func cancel(reference: String, context: ConnectorContext) async throws -> ConnectorPaymentResult {
        _ = try parse(reference)
        return ConnectorPaymentResult(providerReference: reference, outcome: .canceled)
    }

    public func refund(_ request: ConnectorRefundRequest, context: ConnectorContext) async throws -> ConnectorRefundResult {
        let payment = try parse(request.paymentReference)
        let reference = SandboxRefundReference(
            fails: payment.scenario == .refundFails,
            dueMilliseconds: Self.milliseconds(context.now.addingTimeInterval(settlementDelay))
        ).string(random: ids.randomToken(length: 16))
        return try await retrieveRefund(reference: reference, context: context)
    }

    public func retrievePayment(reference: String, context: ConnectorContext) async throws -> ConnectorPaymentResult {
        result(reference, outcome: try currentOutcome(of: reference, context: context), token: nil)
    }

    public func retrieveRefund(reference: String, context: ConnectorContext) async throws -> ConnectorRefundResult {
        guard let parsed = SandboxRefundReference(reference) else {
            throw ConnectorError.invalidRequest(code: "resource_missing", message: "No such sandbox refund.", param: nil)
        }
        let outcome: RefundOutcome
        if Self.milliseconds(context.now) < parsed.dueMilliseconds {
            outcome = .pending
        } else if parsed.fails {
            outcome = .failed(reason: "declined_by_issuer")
        } else {
            outcome = .succeeded
        }
        return ConnectorRefundResult(providerReference: reference, outcome: outcome)
    }

    public func parseWebhook(_ webhook: IncomingWebhook, context: ConnectorContext) throws -> ProviderWebhookEvent {
        try TimestampedSignature.verify(
            header: webhook.headers[Self.signatureHeader], body: webhook.body,
            secret: try context.credentials.required("webhook_secret"), now: context.now)
        let message: SandboxWebhookMessage
        do {
            message = try JSONDecoder().decode(SandboxWebhookMessage.self, from: Data(webhook.body))
        } catch {
            throw ConnectorError.invalidResponse("sandbox webhook body is not a sandbox event")
        }
        return try message.event()
    }

    /// The signed webhook the sandbox provider sends to report a result: what the simulator posts to PayHub.
    public func webhook(reporting event: ProviderWebhookEvent, secret: String, now: Date) -> IncomingWebhook {
        let body = SandboxWebhookMessage(event: event).encoded()
        let signature = TimestampedSignature.sign(body: body, secret: secret, timestamp: Int(now.timeIntervalSince1970))
        return IncomingWebhook(headers: [Self.signatureHeader: signature, "content-type": "application/json"], body: body)
    }

    /// Whether a sandbox payment has settled by itself by `now` (asynchronous flows), so the simulator reports it.
    public static func hasSettled(reference: String, at now: Date) -> Bool {
        guard let parsed = SandboxReference(payment: reference) else { return false }
        return parsed.scenario.settlesAsynchronously && milliseconds(now) >= parsed.dueMilliseconds
    }

    /// When a sandbox payment that settles by itself (asynchronous flows) will settle; nil for the others.
    public static func settlementDate(ofPayment reference: String) -> Date? {
        guard let parsed = SandboxReference(payment: reference), parsed.scenario.settlesAsynchronously else { return nil }
        return Date(timeIntervalSince1970: Double(parsed.dueMilliseconds) / 1000)
    }

    /// When a sandbox refund settles.
    public static func settlementDate(ofRefund reference: String) -> Date? {
        guard let parsed = SandboxRefundReference(reference) else { return nil }
        return Date(timeIntervalSince1970: Double(parsed.dueMilliseconds) / 1000)
    }

    /// Whether a sandbox refund has settled by `now`.
    public static func refundHasSettled(reference: String, at now: Date) -> Bool {
        guard let parsed = SandboxRefundReference(reference) else { return false }
        return milliseconds(now) >= parsed.dueMilliseconds
    }

    /// The outcome of a customer's decision on the sandbox's 3-D Secure or wallet page.
    public func customerDecision(reference: String, approved: Bool, at now: Date) throws -> ConnectorPaymentResult {
        let parsed = try parse(reference)
        guard parsed.scenario.decidedOnPage else {
            throw ConnectorError.invalidRequest(
                code: "payment_attempt_unexpected_state", message: "This payment does not wait for the customer.", param: nil)
        }
        let outcome: ProviderOutcome
        if Self.milliseconds(now) >= parsed.dueMilliseconds {
            outcome = .failed(Self.authenticationExpired)
        } else if approved {
            outcome = parsed.manualCapture ? .requiresCapture : .succeeded
        } else {
            outcome = .failed(PaymentFailure(
                kind: .cardError, code: "authentication_failed", declineCode: "authentication_failed",
                message: "The customer did not complete authentication."))
        }
        return result(reference, outcome: outcome, token: nil)
    }

    /// The outcome of the test card the customer chose on the sandbox's card page; `approved` is their answer to
    /// 3-D Secure, for the card that asks for it.
    public func cardChosen(reference: String, token: String, approved: Bool, at now: Date) throws -> ConnectorPaymentResult {
        let parsed = try parse(reference)
        guard parsed.scenario == .cardPage else {
            throw ConnectorError.invalidRequest(
                code: "payment_attempt_unexpected_state", message: "This payment does not wait for a card.", param: nil)
        }
        guard Self.pageCards.contains(where: { $0.token == token }), let card = SandboxScenario.cardTokens[token] else {
            throw ConnectorError.invalidRequest(code: "invalid_payment_method", message: "Choose one of the test cards.", param: "card")
        }
        if Self.milliseconds(now) >= parsed.dueMilliseconds {
            return ConnectorPaymentResult(providerReference: reference, outcome: .failed(Self.authenticationExpired))
        }
        if let failure = card.immediateFailure {
            return ConnectorPaymentResult(providerReference: reference, outcome: .failed(failure))
        }
        return try customerDecision(reference: reference, approved: card != .threeDSecure || approved, at: now)
    }

    // MARK: - Simulation

    private func scenario(for method: PaymentMethodData) throws -> SandboxScenario {
        switch method.type {
        case "card":
            guard let token = method.token else { return .cardPage }
            guard let scenario = SandboxScenario.cardTokens[token] else {
                throw ConnectorError.invalidRequest(
                    code: "invalid_payment_method",
                    message: "Unknown sandbox card token; use one of \(SandboxScenario.cardTokens.keys.sorted().joined(separator: ", ")).",
                    param: "payment_method.token")
            }
            return scenario
        case "mobile_money":
            guard let msisdn = method.msisdn, msisdn.count >= 8 else {
                throw ConnectorError.invalidRequest(
                    code: "parameter_missing", message: "Mobile money needs the payer's msisdn.", param: "payment_method.msisdn")
            }
            return SandboxScenario.mobileMoney(msisdn: msisdn)
        case "wallet":
            if let token = method.token {
                guard let scenario = SandboxScenario.walletTokens[token] else {
                    throw ConnectorError.invalidRequest(
                        code: "invalid_payment_method",
                        message: "Unknown sandbox wallet token; use one of \(SandboxScenario.walletTokens.keys.sorted().joined(separator: ", ")), or none for the wallet's page.",
                        param: "payment_method.token")
                }
                return scenario
            }
            return method.network == "qr" ? .qrCode : .redirectWallet
        case "bank_redirect": return .bankRedirect
        case "bnpl": return .buyNowPayLater
        case "bank_transfer": return .bankTransfer
        case "qr": return .qrCode
        default:
            throw ConnectorError.invalidRequest(
                code: "payment_method_unsupported", message: "The sandbox does not offer '\(method.type)'.",
                param: "payment_method.type")
        }
    }

    private func currentOutcome(of reference: String, context: ConnectorContext) throws -> ProviderOutcome {
        let parsed = try parse(reference)
        let settled = Self.milliseconds(context.now) >= parsed.dueMilliseconds
        let success: ProviderOutcome = parsed.manualCapture ? .requiresCapture : .succeeded
        if let failure = parsed.scenario.immediateFailure { return .failed(failure) }
        switch parsed.scenario {
        case .success, .refundFails:
            return success
        case .threeDSecure, .redirectWallet, .bankRedirect, .buyNowPayLater, .cardPage:
            if settled { return .failed(Self.authenticationExpired) }
            return .requiresAction(.redirectToURL(
                url: "\(context.publicBaseURL)/sandbox/authenticate/\(reference)", returnURL: nil))
        case .otp:
            if settled { return .failed(Self.authenticationExpired) }
            return .requiresAction(.otp(message: "Sandbox: enter the 4-digit code \(Self.validOTP) to authorise the payment."))
        case .asyncSuccess, .asyncDecline:
            if !settled { return .processing }
        case .ussdSuccess, .ussdFailure:
            if !settled { return .requiresAction(.ussd(message: "Sandbox: dial *144*4*6# on your phone and confirm the payment.")) }
        case .qrCode:
            if !settled { return .requiresAction(.displayQRCode(data: "payhub-sandbox://pay/\(reference)")) }
        case .bankTransfer:
            if !settled {
                return .requiresAction(.displayBankTransferInstructions(BankTransferInstructions(
                    reference: "PAYHUB-" + String(reference.suffix(10)).uppercased(), accountHolder: Self.transferAccount.holder,
                    iban: Self.transferAccount.iban, bic: Self.transferAccount.bic)))
            }
        case .declined, .insufficientFunds, .expiredCard:
            break
        }
        if parsed.scenario.settlesAsFailure {
            return .failed(PaymentFailure(
                kind: .cardError, code: "payment_declined", declineCode: "do_not_honor",
                message: "The payer's provider declined the payment."))
        }
        return success
    }

    private func parse(_ reference: String) throws -> SandboxReference {
        guard let parsed = SandboxReference(payment: reference) else {
            throw ConnectorError.invalidRequest(code: "resource_missing", message: "No such sandbox payment.", param: nil)
        }
        return parsed
    }

    static let authenticationExpired = PaymentFailure(
        kind: .cardError, code: "authentication_expired", declineCode: "authentication_expired",
        message: "The customer did not complete the payment in time.")

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }
}
