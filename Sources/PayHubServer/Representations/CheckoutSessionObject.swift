import Foundation
import PayHubCore
import Vapor

/// A checkout session as the API and its events show it.
struct CheckoutSessionObject: Content, Equatable {
    struct LineItem: Codable, Equatable, Sendable {
        var name: String
        var quantity: Int64
        var unitAmount: Int64
        @AlwaysEncoded var taxRate: Int64?
        @AlwaysEncoded var category: String?
        var amountSubtotal: Int64
        var amountTax: Int64
        var amountTotal: Int64

        enum CodingKeys: String, CodingKey {
            case name, quantity, category
            case unitAmount = "unit_amount"
            case taxRate = "tax_rate"
            case amountSubtotal = "amount_subtotal"
            case amountTax = "amount_tax"
            case amountTotal = "amount_total"
        }
    }

    var id: String
    var object = "checkout_session"
    var livemode: Bool
    var status: String
    /// The hosted page the shop sends its customer to.
    var url: String
    /// `payment`, or `subscription` when it takes a subscription's payment (the method is saved for its renewals).
    var mode: String
    @AlwaysEncoded var subscription: String?
    var paymentIntent: String
    var amountSubtotal: Int64
    var amountTax: Int64
    var amountTotal: Int64
    var currency: String
    var lineItems: [LineItem]
    @AlwaysEncoded var customer: CustomerObject?
    @AlwaysEncoded var customerReference: String?
    @AlwaysEncoded var purchaseReference: String?
    @AlwaysEncoded var successURL: String?
    @AlwaysEncoded var cancelURL: String?
    var locale: String
    @AlwaysEncoded var userType: String?
    @AlwaysEncoded var channel: String?
    @AlwaysEncoded var country: String?
    var metadata: [String: String]
    var expiresAt: Int64
    @AlwaysEncoded var completedAt: Int64?
    @AlwaysEncoded var expiredAt: Int64?
    /// The session's overrides of the merchant's theme (only the fields it changes).
    @AlwaysEncoded var theme: CheckoutThemeChanges?
    var created: Int64
    var updated: Int64

    enum CodingKeys: String, CodingKey {
        case id, object, livemode, status, url, mode, subscription, currency, customer, locale, channel, country, metadata, created, updated, theme
        case paymentIntent = "payment_intent"
        case amountSubtotal = "amount_subtotal"
        case amountTax = "amount_tax"
        case amountTotal = "amount_total"
        case lineItems = "line_items"
        case customerReference = "customer_reference"
        case purchaseReference = "purchase_reference"
        case successURL = "success_url"
        case cancelURL = "cancel_url"
        case userType = "user_type"
        case expiresAt = "expires_at"
        case completedAt = "completed_at"
        case expiredAt = "expired_at"
    }
}

extension CheckoutSessionObject.LineItem {
    /// A line as the API shows it, with its amounts worked out (sessions' and payment links' alike).
    init(_ line: CheckoutLine) {
        self.init(
            name: line.item.name, quantity: line.item.quantity, unitAmount: line.item.unitAmount, taxRate: line.item.taxRate,
            category: line.item.category, amountSubtotal: line.subtotal, amountTax: line.tax, amountTotal: line.total)
    }
}

extension Presenter {
    static func checkoutSession(_ record: CheckoutSessionRecord, publicBaseURL: String) -> CheckoutSessionObject {
        let session = record.session
        let totals = session.totals
        return CheckoutSessionObject(
            id: session.id.rawValue,
            livemode: record.scope.livemode,
            status: session.status.rawValue,
            url: CheckoutRoute.page.url(session.id, publicBaseURL: publicBaseURL),
            mode: record.subscriptionID == nil ? "payment" : "subscription",
            subscription: record.subscriptionID?.rawValue,
            paymentIntent: session.paymentIntentID.rawValue,
            amountSubtotal: totals.amountSubtotal,
            amountTax: totals.amountTax,
            amountTotal: totals.amountTotal,
            currency: totals.currency.code,
            lineItems: totals.lines.map(CheckoutSessionObject.LineItem.init),
            customer: record.customer.map { CustomerObject($0) },
            customerReference: record.customerReference,
            purchaseReference: record.purchaseReference,
            successURL: record.successURL,
            cancelURL: record.cancelURL,
            locale: record.locale,
            userType: record.userType,
            channel: record.channel?.rawValue,
            country: record.country,
            metadata: record.metadata,
            expiresAt: unix(session.expiresAt),
            completedAt: session.completedAt.map(unix),
            expiredAt: session.expiredAt.map(unix),
            theme: record.theme,
            created: unix(session.createdAt),
            updated: unix(session.updatedAt))
    }
}
