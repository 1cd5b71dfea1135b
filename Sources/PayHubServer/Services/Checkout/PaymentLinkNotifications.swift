import Foundation
import PayHubCore
import SQLKit

/// The notifications a payment link sends through the notification outbox, in its customer's language.
enum PaymentLinkNotifications {
    enum Kind: Sendable {
        /// The link itself (`payment_link`).
        case link
        /// Its one reminder before it expires (`payment_link_reminder`).
        case reminder
    }

    /// Inside the caller's transaction: queues the notification, which leaves once the transaction commits.
    @discardableResult
    static func enqueue(
        _ kind: Kind, of record: PaymentLinkRecord, to recipient: String, via channel: PaymentLinkChannel, context: PayHubContext,
        on tx: any SQLDatabase
    ) async throws -> NotificationRecord {
        let locale = CustomerLocale.negotiate(requested: record.customer?.locale, acceptLanguage: nil, merchantDefault: .en)
        let amount = Money(minorUnits: record.totals.amountTotal, currency: record.totals.currency)
        var variables = [
            "link_url": PaymentLinkPagePaths.linkURL(record.id, publicBaseURL: context.config.publicBaseURL),
            "amount": LocalizedMoney.format(amount, in: locale),
            "expires_at": LocalizedDate.format(record.link.expiresAt, in: locale),
        ]
        if let name = record.customer?.name { variables["customer_name"] = name }
        if let description = record.description { variables["description"] = description }
        var intentID: PaymentIntentID?
        if let sessionID = record.checkoutSessionID {
            intentID = try await CheckoutSessionRepository().session(sessionID, in: record.scope, on: tx)?.session.paymentIntentID
        }
        // The customer's reference: the intent that waits, else the link (whose own intents come when it is opened).
        variables["payment_intent"] = intentID?.rawValue ?? record.id.rawValue
        let request = NotificationRequest(
            event: kind == .link ? .paymentLink : .paymentLinkReminder, channel: channel.notificationChannel, recipient: recipient,
            locale: locale, variables: variables, paymentIntentID: intentID, paymentLinkID: record.id.rawValue)
        return try await NotificationOutbox(context: context).enqueue(request, in: record.scope, on: tx)
    }
}

extension PaymentLinkChannel {
    var notificationChannel: NotificationChannel {
        switch self {
        case .email: .email
        case .sms: .sms
        }
    }
}
