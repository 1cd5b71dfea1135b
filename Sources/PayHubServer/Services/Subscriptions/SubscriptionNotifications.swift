import Foundation
import PayHubConnectors
import PayHubCore
import SQLKit

/// What a subscription's changes tell its customer, through the notification outbox, in the transaction of the
/// change: `subscription_renewed` (a renewal paid), `subscription_payment_failed` (a renewal or retry failed, with
/// the page to pay it or use another method), `subscription_canceled` (it ended by cancellation, now, at period end
/// or after dunning) and `subscription_trial_will_end`. Dates are the subscription's own (its test clock's).
enum SubscriptionNotifications {
    static func changed(
        _ record: SubscriptionRecord, by transition: SubscriptionTransition, command: SubscriptionCommand, context: PayHubContext,
        at now: Date, on tx: any SQLDatabase
    ) async throws {
        let s = record.subscription
        let event: NotificationEvent
        var values: (CustomerLocale) -> [String: String] = { _ in [:] }
        if transition.events.contains(.customerSubscriptionRenewed) {
            event = .subscriptionRenewed
            values = { locale in
                ["period_start": LocalizedDate.format(s.currentPeriodStart, in: locale), "period_end": LocalizedDate.format(s.currentPeriodEnd, in: locale)]
            }
        } else if transition.events.contains(.customerSubscriptionCanceled) {
            event = .subscriptionCanceled
            values = { locale in s.endedAt.map { ["ended_at": LocalizedDate.format($0, in: locale)] } ?? [:] }
        } else if transition.events.contains(.customerSubscriptionTrialWillEnd) {
            event = .subscriptionTrialWillEnd
            values = { locale in ["trial_end": LocalizedDate.format(s.currentPeriodEnd, in: locale)] }
        } else if command == .renewalFailed, let url = record.recoveryURL {
            event = .subscriptionPaymentFailed
            values = { locale in
                var values = ["link_url": url]
                if let retry = record.dunning.nextRetryAt { values["next_retry_at"] = LocalizedDate.format(retry, in: locale) }
                return values
            }
        } else {
            return
        }
        try await notify(event, about: record, context: context, on: tx, variables: values)
    }

    private static func notify(
        _ event: NotificationEvent, about record: SubscriptionRecord, context: PayHubContext, on tx: any SQLDatabase,
        variables: (CustomerLocale) -> [String: String]
    ) async throws {
        guard let customer = record.customer, let destination = PaymentNotifications.destination(customer) else { return }
        let (channel, recipient) = destination
        let locale = customer.locale.flatMap(CustomerLocale.init(tag:)) ?? .en
        guard try await NotificationTemplates.isEnabled(event, locale, in: record.scope, on: tx) else { return }
        var values = variables(locale)
        values["amount"] = LocalizedMoney.format(record.subscription.amount, in: locale)
        values["subscription"] = record.id.rawValue
        values["payment_intent"] = record.recoveryPaymentIntentID?.rawValue ?? record.id.rawValue
        if let name = customer.name { values["customer_name"] = name }
        _ = try await NotificationOutbox(context: context).enqueue(
            NotificationRequest(
                event: event, channel: channel, recipient: recipient, locale: locale, variables: values,
                paymentIntentID: record.recoveryPaymentIntentID),
            in: record.scope, on: tx)
    }
}

/// The page a past-due customer pays the open renewal on: a hosted checkout session of its own for the period's
/// amount, whose payment saves the method it is made with (the subscription then renews with it). A new one with
/// every failed try, so the link in each notification is fresh.
enum SubscriptionRecovery {
    static func open(
        for record: SubscriptionRecord, period: Int, payments: PaymentService, on tx: any SQLDatabase
    ) async throws -> (PaymentIntentID, String) {
        let context = payments.context
        let s = record.subscription
        let sessions = CheckoutSessionService(context: context, db: payments.db, logger: payments.logger)
        let prepared = try sessions.prepare(
            CreateCheckoutSessionRequest(
                amount: s.amount.minorUnits, currency: s.amount.currency.code, lineItems: nil,
                customer: record.customer.map(CustomerObject.init),
                customerReference: record.customerReference, metadata: record.metadata, userType: record.userType,
                channel: record.channel.rawValue, country: record.country),
            in: record.scope, intentMetadata: SubscriptionPaymentMetadata(subscriptionID: s.id, period: period).entries, at: context.clock.now())
        try await prepared.insert(payments: payments, context: context, on: tx)
        try await SubscriptionRepository().insertRecovery(prepared.intent.id, of: s.id, period: period, in: record.scope, at: context.clock.now(), on: tx)
        return (prepared.intent.id, CheckoutRoute.page.url(prepared.record.id, publicBaseURL: context.config.publicBaseURL))
    }
}
