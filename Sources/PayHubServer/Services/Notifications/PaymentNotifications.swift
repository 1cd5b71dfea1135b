import Foundation
import PayHubConnectors
import PayHubCore
import SQLKit

/// The notifications a payment's outcome sends its customer by itself: `payment_succeeded`, `payment_failed`,
/// `refund_partial` and `refund_total`. Called next to the event recording, inside the transaction that changes
/// the intent or the refund, so the notification commits (or rolls back) with the change. It goes to the intent's
/// customer: by email when it has an email address, else by SMS when it has a phone number in international form,
/// else nowhere; in the customer's language, else English. A merchant switches one off with an override whose
/// `enabled` is false (`PUT /v1/notification_templates/{event}/{locale}`).
enum PaymentNotifications {
    /// After `PaymentService.apply` recorded the transition's events.
    static func paymentChanged(
        _ payment: PaymentIntentAggregate, by transition: PaymentTransition, context: PayHubContext, on tx: any SQLDatabase
    ) async throws {
        let event: NotificationEvent
        if transition.events.contains(.paymentIntentSucceeded) {
            event = .paymentSucceeded
        } else if transition.events.contains(.paymentIntentPaymentFailed) {
            // A subscription's failed payment sends `subscription_payment_failed`, with the page to pay, instead.
            guard SubscriptionPaymentMetadata(payment.intent.metadata) == nil else { return }
            event = .paymentFailed
        } else {
            return
        }
        let record = payment.intent
        try await notify(event, about: record, context: context, on: tx) { locale in
            event == .paymentSucceeded ? ["paid_at": LocalizedDate.format(context.clock.now(), in: locale)] : [:]
        }
    }

    /// After `RefundService.settle` recorded a refund's outcome; `intent` is the intent as that refund left it.
    static func refundChanged(
        _ refund: RefundRecord, events: [EventType], intent: PaymentIntentRecord, context: PayHubContext, on tx: any SQLDatabase
    ) async throws {
        guard events.contains(.refundSucceeded) else { return }
        let total = intent.intent.amountRefunded >= intent.intent.amountReceived
        let currency = intent.intent.amount.currency
        try await notify(total ? .refundTotal : .refundPartial, about: intent, context: context, on: tx) { locale in
            var values = [
                "refund_amount": LocalizedMoney.format(refund.refund.amount, in: locale),
                "refunded_at": LocalizedDate.format(context.clock.now(), in: locale),
            ]
            if !total {
                values["amount_refunded"] = LocalizedMoney.format(Money(minorUnits: intent.intent.amountRefunded, currency: currency), in: locale)
            }
            return values
        }
    }

    private static func notify(
        _ event: NotificationEvent, about record: PaymentIntentRecord, context: PayHubContext, on tx: any SQLDatabase,
        variables: (CustomerLocale) -> [String: String]
    ) async throws {
        guard let customer = record.customer, let destination = destination(customer) else { return }
        let (channel, recipient) = destination
        let locale = customer.locale.flatMap(CustomerLocale.init(tag:)) ?? .en
        guard try await NotificationTemplates.isEnabled(event, locale, in: record.scope, on: tx) else { return }
        var values = variables(locale)
        values["amount"] = LocalizedMoney.format(record.intent.amount, in: locale)
        values["payment_intent"] = record.id.rawValue
        if let name = customer.name { values["customer_name"] = name }
        _ = try await NotificationOutbox(context: context).enqueue(
            NotificationRequest(
                event: event, channel: channel, recipient: recipient, locale: locale, variables: values, paymentIntentID: record.id),
            in: record.scope, on: tx)
    }

    /// Email when the customer has an address, else SMS when its phone number can take one.
    static func destination(_ customer: CustomerDetails) -> (NotificationChannel, String)? {
        if let email = customer.email, let recipient = try? NotificationOutbox.recipient(email, channel: .email) { return (.email, recipient) }
        if let phone = customer.phone, let recipient = try? NotificationOutbox.recipient(phone, channel: .sms) { return (.sms, recipient) }
        return nil
    }
}
