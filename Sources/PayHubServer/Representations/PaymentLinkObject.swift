import Foundation
import PayHubCore
import Vapor

/// A payment link as the API and its events show it.
struct PaymentLinkObject: Content, Equatable {
    var id: String
    var object = "payment_link"
    var livemode: Bool
    var status: String
    /// The page the customer opens.
    var url: String
    var reusable: Bool
    @AlwaysEncoded var maxPayments: Int?
    var paymentsCount: Int
    var amountSubtotal: Int64
    var amountTax: Int64
    var amountTotal: Int64
    var currency: String
    var lineItems: [CheckoutSessionObject.LineItem]
    @AlwaysEncoded var description: String?
    @AlwaysEncoded var customer: CustomerObject?
    @AlwaysEncoded var successURL: String?
    @AlwaysEncoded var userType: String?
    var channel: String
    @AlwaysEncoded var country: String?
    var metadata: [String: String]
    /// The shop's session the link was made for, when the customer asked for it on the checkout page.
    @AlwaysEncoded var checkoutSession: String?
    @AlwaysEncoded var sentVia: String?
    @AlwaysEncoded var sentAt: Int64?
    @AlwaysEncoded var deliveredAt: Int64?
    @AlwaysEncoded var openedAt: Int64?
    @AlwaysEncoded var reminderSentAt: Int64?
    var expiresAt: Int64
    @AlwaysEncoded var completedAt: Int64?
    @AlwaysEncoded var deactivatedAt: Int64?
    @AlwaysEncoded var expiredAt: Int64?
    var created: Int64
    var updated: Int64

    enum CodingKeys: String, CodingKey {
        case id, object, livemode, status, url, reusable, currency, description, customer, channel, country, metadata, created, updated
        case maxPayments = "max_payments"
        case paymentsCount = "payments_count"
        case amountSubtotal = "amount_subtotal"
        case amountTax = "amount_tax"
        case amountTotal = "amount_total"
        case lineItems = "line_items"
        case successURL = "success_url"
        case userType = "user_type"
        case checkoutSession = "checkout_session"
        case sentVia = "sent_via"
        case sentAt = "sent_at"
        case deliveredAt = "delivered_at"
        case openedAt = "opened_at"
        case reminderSentAt = "reminder_sent_at"
        case expiresAt = "expires_at"
        case completedAt = "completed_at"
        case deactivatedAt = "deactivated_at"
        case expiredAt = "expired_at"
    }
}

extension Presenter {
    static func paymentLink(_ record: PaymentLinkRecord, publicBaseURL: String) -> PaymentLinkObject {
        let link = record.link
        let totals = record.totals
        return PaymentLinkObject(
            id: link.id.rawValue,
            livemode: record.scope.livemode,
            status: link.status.rawValue,
            url: PaymentLinkPagePaths.linkURL(link.id, publicBaseURL: publicBaseURL),
            reusable: link.reusable,
            maxPayments: link.maxPayments,
            paymentsCount: link.paymentsCount,
            amountSubtotal: totals.amountSubtotal,
            amountTax: totals.amountTax,
            amountTotal: totals.amountTotal,
            currency: totals.currency.code,
            lineItems: totals.lines.map(CheckoutSessionObject.LineItem.init),
            description: record.description,
            customer: record.customer.map { CustomerObject($0) },
            successURL: record.successURL,
            userType: record.userType,
            channel: record.channel.rawValue,
            country: record.country,
            metadata: record.metadata,
            checkoutSession: record.checkoutSessionID?.rawValue,
            sentVia: record.sentVia?.rawValue,
            sentAt: record.sentAt.map(unix),
            deliveredAt: record.deliveredAt.map(unix),
            openedAt: link.openedAt.map(unix),
            reminderSentAt: record.reminderSentAt.map(unix),
            expiresAt: unix(link.expiresAt),
            completedAt: link.completedAt.map(unix),
            deactivatedAt: link.deactivatedAt.map(unix),
            expiredAt: link.expiredAt.map(unix),
            created: unix(link.createdAt),
            updated: unix(link.updatedAt))
    }
}
