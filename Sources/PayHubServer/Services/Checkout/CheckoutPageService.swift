import FluentKit
import Foundation
import Logging
import PayHubConnectors
import PayHubCore
import SQLKit

/// The hosted checkout, seen from the customer's browser: the session its URL names, what the page shows, and what
/// the customer does there (pay, enter a code, come back from the provider). It acts with the rights of the
/// session's own client (a client-token principal for its intent), never more.
struct CheckoutPageService: Sendable {
    /// A session as its page sees it.
    struct Subject: Sendable {
        var session: CheckoutSessionRecord
        var payment: PaymentIntentAggregate
        var merchantName: String
        var theme: CheckoutTheme
        /// The methods the merchant's rules show for this session, in the rule's order.
        var methods: [RuleMethod]
        /// The origins allowed to frame the page (the merchant's checkout settings); none by default.
        var frameAncestors: [String]
        /// What a subscription's page tells the customer will be charged after this payment; nil for one payment.
        var recurring: RecurringTerms? = nil
        /// The language when neither the session nor the browser names one PayHub speaks (the merchant's settings).
        var defaultLocale: CustomerLocale = .en

        var step: CheckoutPageStep { CheckoutPageService.step(of: session, payment: payment) }

        /// The customer's rights: those of a client token for the session's intent.
        var principal: Principal {
            Principal(
                merchantID: session.scope.merchantID, livemode: session.scope.livemode,
                credential: .clientToken(paymentIntentID: session.session.paymentIntentID.rawValue))
        }
    }

    /// A subscription's renewals, as its checkout page shows them.
    struct RecurringTerms: Sendable, Equatable {
        var amount: Money
        var interval: BillingInterval
    }

    /// What the customer chose on the page: a method, never card data (cards are entered on the provider's page).
    struct Choice: Sendable, Equatable {
        var method: PaymentMethodType
        var provider: String?
        /// The payer's phone number, for mobile money.
        var msisdn: String?
        /// The provider's token for a card entered in its fields on PayHub's card page (`tok_...`).
        var token: String? = nil
    }

    static let sessionClosed = ServiceError.conflict(
        "checkout_session_closed", "This checkout can no longer be paid: it is complete, expired, or waiting for an earlier payment.")
    static let methodNotOffered = ServiceError.invalid(
        "payment_method_not_offered", "Choose one of the payment methods this page shows.", param: "payment_method")

    let context: PayHubContext
    let db: any Database
    let logger: Logger

    private var reader: any SQLDatabase { context.transactor.reader(db) }
    private var payments: PaymentService { PaymentService(context: context, db: db, logger: logger) }

    /// The session a page URL names, with everything its page shows; an unknown id is a 404.
    func subject(_ rawID: String) async throws -> Subject {
        guard let id = CheckoutSessionID(validating: rawID),
              let session = try await CheckoutSessionRepository().session(id, for: .checkoutPage, on: reader)
        else { throw ServiceError.notFound("checkout_session", id: rawID) }
        return try await subject(of: session)
    }

    /// Where the session's payment stands, without what only the page shows (merchant, theme, rules, settings):
    /// what the result page's poller asks every few seconds.
    func progress(_ rawID: String) async throws -> (session: CheckoutSessionID, step: CheckoutPageStep) {
        guard let id = CheckoutSessionID(validating: rawID),
              let session = try await CheckoutSessionRepository().session(id, for: .checkoutPage, on: reader)
        else { throw ServiceError.notFound("checkout_session", id: rawID) }
        let payment = try await payments.current(session.session.paymentIntentID, in: session.scope)
        return (session.id, Self.step(of: session, payment: payment))
    }

    static func step(of session: CheckoutSessionRecord, payment: PaymentIntentAggregate) -> CheckoutPageStep {
        let intent = payment.intent.intent
        return CheckoutPageStep.of(
            session: session.session.status, intent: intent.status, nextAction: payment.activeAttempt?.attempt.nextAction,
            lastFailure: intent.lastPaymentError)
    }

    /// What the merchant's pages share comes from `CheckoutConfigurations` (cached while its version stands); the
    /// session's own theme and its rule attributes are applied to it here.
    private func subject(of session: CheckoutSessionRecord) async throws -> Subject {
        let scope = session.scope
        let payment = try await payments.current(session.session.paymentIntentID, in: scope)
        guard let configuration = try await CheckoutConfigurations(context: context, db: db).current(in: scope) else {
            throw ServiceError.notFound("checkout_session", id: session.id.rawValue)
        }
        var theme = configuration.theme
        if let overrides = session.theme, let themed = try? theme.applying(overrides) { theme = themed }
        let decision = configuration.rules.decide(for: session.ruleAttributes, capabilities: configuration.capabilities)
        let methods = Self.shown(decision, capabilities: configuration.capabilities, currency: session.session.totals.currency)
            .filter { $0.paymentMethod.rawValue != "card" || $0.provider.map(configuration.cardEntryProviders.contains) ?? true }
            .filter { session.subscriptionID == nil || savesForRenewals($0) }
        var recurring: RecurringTerms?
        if let id = session.subscriptionID, let record = try await SubscriptionRepository().subscription(id, in: scope, on: reader) {
            recurring = RecurringTerms(amount: record.subscription.amount, interval: record.subscription.interval)
        }
        return Subject(
            session: session, payment: payment, merchantName: configuration.merchantName, theme: theme, methods: methods,
            frameAncestors: configuration.frameAncestors, recurring: recurring, defaultLocale: configuration.defaultLocale)
    }

    /// Whether a subscription's payment may be made with this method: its provider saves the method for the
    /// renewals to charge (`savedMethods`); a QR code or a bank transfer pays once and leaves nothing to renew with.
    private func savesForRenewals(_ method: RuleMethod) -> Bool {
        guard let provider = method.provider, let connector = context.connectors[provider] else { return false }
        return connector.capabilities.savedMethods.contains(method.paymentMethod.rawValue)
    }

    /// The order methods take when no rule orders them: the most used first.
    static let standardOrder = ["card", "wallet", "mobile_money", "bank_redirect", "bnpl", "bank_transfer", "qr"]

    /// The rules' methods, each with the provider that takes it (the first account offering it, as the router
    /// picks), in the winning rule's order, or the standard order when no rule applies.
    static func shown(_ decision: CheckoutDecision, capabilities: [MethodCapability], currency: Currency) -> [RuleMethod] {
        var methods = decision.methods.map { method -> RuleMethod in
            guard method.provider == nil,
                  let offer = capabilities.first(where: { $0.paymentMethod == method.paymentMethod && ($0.currencies?.contains(currency) ?? true) })
            else { return method }
            return RuleMethod(paymentMethod: method.paymentMethod, provider: offer.provider)
        }
        if decision.rule == nil {
            let rank = { (method: RuleMethod) in standardOrder.firstIndex(of: method.paymentMethod.rawValue) ?? standardOrder.count }
            methods = methods.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(\.element)
        }
        return methods
    }

    /// The provider's card fields the customer enters a card in on PayHub's card page, when the chosen method is
    /// a card whose provider needs a token and the form brought none; nil when the attempt can start as it is.
    /// A method the page does not show is refused, as by `pay`.
    func cardFields(for choice: Choice, on subject: Subject) async throws -> ProviderCardFields? {
        let offered = try Self.offered(choice, on: subject)
        guard choice.method.rawValue == "card", choice.token == nil else { return nil }
        switch try await CardEntries(context: context, db: db).entry(
            provider: choice.provider ?? offered.provider, currency: subject.payment.intent.intent.amount.currency, in: subject.session.scope) {
        case .providersPage: return nil
        case .providersScript(_, let fields): return fields
        case .unavailable: throw Self.methodNotOffered
        }
    }

    private static func offered(_ choice: Choice, on subject: Subject) throws -> RuleMethod {
        guard let offered = subject.methods.first(where: { $0.paymentMethod == choice.method && (choice.provider == nil || $0.provider == choice.provider) })
        else { throw methodNotOffered }
        return offered
    }

    /// Starts an attempt with what the customer chose. A decline is not an error here: the page shows it and the
    /// customer chooses again. `key` makes a resent form (a double click, a reload) the same attempt.
    func pay(_ subject: Subject, choice: Choice, returnURL: String, key: String) async throws -> Subject {
        guard subject.session.session.status == .open else { throw Self.sessionClosed }
        let offered = try Self.offered(choice, on: subject)
        if !subject.step.acceptsPayment, !subject.payment.attempts.contains(where: { $0.idempotencyKey == key }) {
            throw Self.sessionClosed
        }
        let input = AttemptPaymentRequest(
            provider: choice.provider ?? offered.provider,
            paymentMethod: PaymentMethodInput(
                type: choice.method.rawValue, token: choice.token, msisdn: choice.msisdn,
                country: choice.msisdn.map { PhoneCountry.of($0) ?? subject.session.country ?? "" }),
            returnURL: returnURL)
        do {
            _ = try await RequestIdempotency.$key.withValue(key) {
                try await payments.attempt(subject.payment.id.rawValue, input: input, principal: subject.principal)
            }
        } catch let error as ServiceError where error.paymentIntentID != nil {
            // Declined: recorded on the intent as its last payment error, which the page shows.
        }
        return try await reload(subject)
    }

    /// The customer's one-time code for the attempt waiting for it.
    func submitCode(_ subject: Subject, otp: String) async throws -> Subject {
        guard case .inPage(.otp) = subject.step, let attempt = subject.payment.activeAttempt else { throw Self.sessionClosed }
        do {
            _ = try await payments.authenticate(
                subject.payment.id.rawValue, attemptID: attempt.id.rawValue, otp: otp, principal: subject.principal)
        } catch let error as ServiceError where error.paymentIntentID != nil {
            // A wrong code or a declined payment: the page says so and the customer chooses again.
        }
        return try await reload(subject)
    }

    /// Back from the provider's page: the attempt is brought up to date with its provider when PayHub has not heard
    /// how the customer's visit ended (a webhook may still be on its way), so the page can say at once.
    func returned(_ subject: Subject) async throws -> Subject {
        if let attempt = subject.payment.activeAttempt, !attempt.status.isFinal {
            try await payments.refresh(attempt)
        }
        return try await reload(subject)
    }

    func reload(_ subject: Subject) async throws -> Subject {
        guard let session = try await CheckoutSessionRepository().session(subject.session.id, in: subject.session.scope, on: reader) else {
            throw ServiceError.notFound("checkout_session", id: subject.session.id.rawValue)
        }
        var reloaded = subject
        reloaded.session = session
        reloaded.payment = try await payments.current(session.session.paymentIntentID, in: session.scope)
        return reloaded
    }
}

extension CheckoutSessionRecord {
    /// What the checkout rules read of this session.
    var ruleAttributes: CheckoutAttributes {
        let totals = session.totals
        return CheckoutAttributes(
            amount: totals.amountTotal, currency: totals.currency, userType: userType, channel: channel,
            country: country.flatMap(CountryCode.init(rawValue:)), productCategories: Set(totals.lines.compactMap(\.item.category)),
            metadata: metadata)
    }
}
