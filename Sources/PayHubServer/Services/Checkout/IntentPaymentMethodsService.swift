import Fluent
import Foundation
import PayHubCore

/// The methods a customer may choose for one payment intent: what the merchant's checkout rules decide for it. An
/// intent that a checkout session owns is judged on the session's attributes (its order, user type, channel,
/// country); any other on its own amount, currency and metadata, on the `web` channel (`payhub.js`).
struct IntentPaymentMethodsService: Sendable {
    let context: PayHubContext
    let db: any Database

    func methods(forIntent id: String, principal: Principal) async throws -> [RuleMethod] {
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
        return try await CheckoutRuleService(context: context, db: db).decide(for: attributes, in: principal.scope).methods
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
