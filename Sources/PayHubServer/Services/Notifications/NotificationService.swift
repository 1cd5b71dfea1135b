import FluentKit
import Foundation
import Logging
import PayHubConnectors
import PayHubCore
import SQLKit

/// The notifications API: list, retrieve with attempts, and send an event's template to an intent's customer (what
/// the backoffice uses to send a receipt again). It speaks the domain: it returns records and throws `ServiceError`.
struct NotificationService: Sendable {
    let context: PayHubContext
    let db: any Database

    var reader: any SQLDatabase { context.transactor.reader(db) }
    var notifications: NotificationRepository { NotificationRepository() }

    struct Detailed: Sendable {
        var notification: NotificationRecord
        var attempts: [NotificationAttemptRecord]
    }

    func retrieve(_ id: String, principal: Principal) async throws -> Detailed {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        guard let notificationID = NotificationID(validating: id),
              let record = try await notifications.notification(notificationID, in: principal.scope, on: reader)
        else { throw ServiceError.notFound("notification", id: id) }
        return Detailed(notification: record, attempts: try await notifications.attempts(of: record.id, on: reader))
    }

    func list(principal: Principal, page: PageRequest) async throws -> RecordPage<Detailed> {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        let status = try InputRules.statusFilter(page, as: NotificationStatus.self, naming: "notification status")
        let intent = try page.filters["payment_intent"].map { raw in
            guard let id = PaymentIntentID(validating: raw) else {
                throw ServiceError.invalid("parameter_invalid", "payment_intent must be a payment intent id (pi_...).", param: "payment_intent")
            }
            return id
        }
        let link = page.filters["payment_link"]
        if let link, !NotificationOutbox.isPaymentLinkID(link) {
            throw ServiceError.invalid("parameter_invalid", "payment_link must be a payment link id (plink_...).", param: "payment_link")
        }
        let found = try await notifications.notifications(
            in: principal.scope, status: status, paymentIntent: intent, paymentLink: link, page: page, on: reader)
        let attempts = try await notifications.attempts(of: found.items.map(\.id), on: reader)
        return RecordPage(items: found.items.map { Detailed(notification: $0, attempts: attempts[$0.id] ?? []) }, hasMore: found.hasMore)
    }

    /// Sends `event`'s template about an intent to its customer, by `channel` or the customer's best one.
    func send(_ input: CreateNotificationRequest, principal: Principal) async throws -> Detailed {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        guard let event = NotificationEvent(rawValue: input.event) else {
            throw ServiceError.invalid(
                "parameter_invalid", "event must be one of \(NotificationEvent.allCases.map(\.rawValue).joined(separator: ", ")).",
                param: "event")
        }
        if event == .paymentLink || event == .paymentLinkReminder {
            throw ServiceError.invalid(
                "parameter_invalid", "A payment link is sent with POST /v1/payment_links/{id}/send.", param: "event")
        }
        if event == .invoice {
            throw ServiceError.invalid("parameter_invalid", "An invoice is sent with POST /v1/invoices/{id}/send.", param: "event")
        }
        let channel = try input.channel.map { raw in
            guard let channel = NotificationChannel(rawValue: raw) else {
                throw ServiceError.invalid("parameter_invalid", "channel must be email or sms.", param: "channel")
            }
            return channel
        }
        let scope = principal.scope
        guard let intentID = PaymentIntentID(validating: input.paymentIntent),
              let payment = try await PaymentRepository().payment(intentID, in: scope, on: reader)
        else { throw ServiceError.notFound("payment_intent", id: input.paymentIntent, param: "payment_intent") }
        let record = payment.intent
        let destination = try Self.destination(record.customer, channel: channel)
        let locale = record.customer?.locale.flatMap(CustomerLocale.init(tag:)) ?? .en
        let variables = try Self.variables(event, record, locale: locale)

        let now = context.clock.now()
        if let key = RequestIdempotency.key, let existing = try await notifications.notification(
            createdByIdempotencyKey: key, in: scope, since: now.addingTimeInterval(-IdempotencyService.lifetime), on: reader) {
            // A retry of a request that enqueued this notification but died before its response was stored.
            return Detailed(notification: existing, attempts: try await notifications.attempts(of: existing.id, on: reader))
        }
        let request = NotificationRequest(
            event: event, channel: destination.0, recipient: destination.1, locale: locale, variables: variables, paymentIntentID: intentID)
        let outbox = NotificationOutbox(context: context)
        let key = RequestIdempotency.key
        let created = try await context.transactor.writeSQL(on: db) { tx in
            try await outbox.enqueue(request, in: scope, idempotencyKey: key, on: tx)
        }
        return Detailed(notification: created, attempts: [])
    }

    private static func destination(_ customer: CustomerDetails?, channel: NotificationChannel?) throws -> (NotificationChannel, String) {
        let missing = ServiceError.conflict(
            "customer_contact_missing",
            "The payment intent's customer has no \(channel.map { $0 == .email ? "email address" : "phone number in international form (+...)" } ?? "email address or phone number") to send to.")
        guard let customer else { throw missing }
        switch channel {
        case nil:
            guard let found = PaymentNotifications.destination(customer) else { throw missing }
            return found
        case .email?:
            guard let email = customer.email, let recipient = try? NotificationOutbox.recipient(email, channel: .email) else { throw missing }
            return (.email, recipient)
        case .sms?:
            guard let phone = customer.phone, let recipient = try? NotificationOutbox.recipient(phone, channel: .sms) else { throw missing }
            return (.sms, recipient)
        }
    }

    /// The event's variables from the intent as it stands; an intent whose state the event does not describe is a 409.
    private static func variables(_ event: NotificationEvent, _ record: PaymentIntentRecord, locale: CustomerLocale) throws -> [String: String] {
        let intent = record.intent
        var values = ["amount": LocalizedMoney.format(intent.amount, in: locale), "payment_intent": record.id.rawValue]
        if let name = record.customer?.name { values["customer_name"] = name }
        let refunded = LocalizedMoney.format(Money(minorUnits: intent.amountRefunded, currency: intent.amount.currency), in: locale)
        func refuse(_ what: String) -> ServiceError {
            ServiceError.conflict("payment_intent_unexpected_state", "\(event.rawValue) describes \(what); this payment intent is \(intent.status.rawValue)\(intent.amountRefunded > 0 ? " with refunds" : "").")
        }
        switch event {
        case .paymentSucceeded:
            guard intent.status == .succeeded else { throw refuse("a succeeded payment") }
        case .paymentFailed:
            guard intent.lastPaymentError != nil, intent.status != .succeeded else { throw refuse("a failed payment") }
        case .refundPartial:
            guard intent.amountRefunded > 0, intent.amountRefunded < intent.amountReceived else { throw refuse("a partly refunded payment") }
            values["refund_amount"] = refunded
            values["amount_refunded"] = refunded
        case .refundTotal:
            guard intent.amountRefunded > 0, intent.amountRefunded >= intent.amountReceived else { throw refuse("a fully refunded payment") }
            values["refund_amount"] = refunded
        case .paymentLink, .paymentLinkReminder, .invoice:
            break
        case .subscriptionRenewed, .subscriptionPaymentFailed, .subscriptionCanceled, .subscriptionTrialWillEnd:
            throw ServiceError.invalid(
                "notification_event_unsupported", "\(event.rawValue) is sent by the subscription itself, not about a payment intent.",
                param: "event")
        }
        return values
    }
}
