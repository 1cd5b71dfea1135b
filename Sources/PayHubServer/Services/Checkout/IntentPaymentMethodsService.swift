import Fluent
import Foundation
import PayHubConnectors
import PayHubCore

/// The methods a customer may choose for one payment intent: what the merchant's checkout rules decide for it. An
/// intent that a checkout session owns is judged on the session's attributes (its order, user type, channel,
/// country); any other on its own amount, currency and metadata, on the `web` channel (`payhub.js`).
struct IntentPaymentMethodsService: Sendable {
    /// One method the customer may choose, with the provider's card fields when its card is typed into them.
    struct PaymentMethodOffer: Sendable, Equatable {
        var method: RuleMethod
        var cardFields: ProviderCardFields? = nil
    }

    let context: PayHubContext
    let db: any Database

    func methods(forIntent id: String, principal: Principal) async throws -> [PaymentMethodOffer] {
        let reader = context.transactor.reader(db)
        guard principal.mayAccess(paymentIntent: id), let intentID = PaymentIntentID(validating: id),
              let payment = try await PaymentRepository().payment(intentID, in: principal.scope, on: reader)
        else { throw ServiceError.notFound("payment_intent", id: id) }
        let attributes: CheckoutAttributes
        if let session = try await CheckoutSessionRepository().session(owning: intentID, in: principal.scope, on: reader) {
            attributes = try Self.attributes(of: session)
        } else {
            let record = payment.intent
            attributes = CheckoutAttributes(
                amount: record.intent.amount.minorUnits, currency: record.intent.amount.currency, channel: .web, metadata: record.metadata)
        }
        let evaluation = try await CheckoutRuleService(context: context, db: db).decide(for: attributes, in: principal.scope)
        let currency = payment.intent.intent.amount.currency
        let methods = evaluation.methods.map { Self.pinned($0, capabilities: evaluation.capabilities, currency: currency) }
        return try await offers(methods, currency: currency, in: principal.scope)
    }

    /// A method the rule names no provider for, that several providers offer, gets the first of them (as the hosted
    /// checkout shows it): an attempt without a provider would be refused as ambiguous (`provider_required`).
    static func pinned(_ method: RuleMethod, capabilities: [MethodCapability], currency: Currency) -> RuleMethod {
        guard method.provider == nil else { return method }
        let providers = capabilities.filter { $0.paymentMethod == method.paymentMethod && ($0.currencies?.contains(currency) ?? true) }.map(\.provider)
        guard let first = providers.first, Set(providers).count > 1 else { return method }
        return RuleMethod(paymentMethod: method.paymentMethod, provider: first)
    }

    /// A card whose provider takes it in its script comes with that script's fields (and names the provider, whose
    /// token only it can pay with); a card that no account can take in a browser is left out.
    private func offers(_ methods: [RuleMethod], currency: Currency, in scope: TenantScope) async throws -> [PaymentMethodOffer] {
        var offers: [PaymentMethodOffer] = []
        for method in methods {
            guard method.paymentMethod.rawValue == "card" else {
                offers.append(PaymentMethodOffer(method: method))
                continue
            }
            switch try await CardEntries(context: context, db: db).entry(provider: method.provider, currency: currency, in: scope) {
            case .providersPage: offers.append(PaymentMethodOffer(method: method))
            case .providersScript(let provider, let fields):
                offers.append(PaymentMethodOffer(method: RuleMethod(paymentMethod: method.paymentMethod, provider: provider), cardFields: fields))
            case .unavailable: continue
            }
        }
        return offers
    }

    /// What the rules read of a checkout session.
    static func attributes(of session: CheckoutSessionRecord) throws -> CheckoutAttributes {
        let country = try session.country.map { code in
            guard let country = CountryCode(rawValue: code) else {
                throw StoredValueInvalid(table: "checkout_sessions", column: "country", id: session.id.rawValue)
            }
            return country
        }
        let totals = session.session.totals
        return CheckoutAttributes(
            amount: totals.amountTotal, currency: totals.currency, userType: session.userType, channel: session.channel,
            country: country, productCategories: Set(totals.lines.compactMap(\.item.category)), metadata: session.metadata)
    }
}
