import Foundation
import PayHubCore
import Vapor

/// A notification as the API shows it, with every attempt at sending it.
struct NotificationObject: Content, Equatable {
    struct Attempt: Codable, Sendable, Equatable {
        var number: Int
        var started: Int64
        @AlwaysEncoded var finished: Int64?
        /// `sent`, `retry`, `failed`; null while it runs (or if its process died during it).
        @AlwaysEncoded var outcome: String?
        @AlwaysEncoded var error: String?
        @AlwaysEncoded var gatewayMessageID: String?

        enum CodingKeys: String, CodingKey {
            case number, started, finished, outcome, error
            case gatewayMessageID = "gateway_message_id"
        }
    }

    var id: String
    var object = "notification"
    var livemode: Bool
    var event: String
    var channel: String
    var recipient: String
    var locale: String
    var status: String
    @AlwaysEncoded var subject: String?
    var text: String
    @AlwaysEncoded var html: String?
    var attemptCount: Int
    var attempts: [Attempt]
    @AlwaysEncoded var nextAttemptAt: Int64?
    @AlwaysEncoded var sentAt: Int64?
    @AlwaysEncoded var lastError: String?
    @AlwaysEncoded var gatewayMessageID: String?
    @AlwaysEncoded var paymentIntent: String?
    @AlwaysEncoded var paymentLink: String?
    /// An SMS: what the gateway last reported after sending it (`delivered`, `undelivered`, `failed`...).
    @AlwaysEncoded var deliveryStatus: String?
    @AlwaysEncoded var deliveryError: String?
    @AlwaysEncoded var deliveredAt: Int64?
    var created: Int64
    var updated: Int64

    enum CodingKeys: String, CodingKey {
        case id, object, livemode, event, channel, recipient, locale, status, subject, text, html, attempts, created, updated
        case attemptCount = "attempt_count"
        case nextAttemptAt = "next_attempt_at"
        case sentAt = "sent_at"
        case lastError = "last_error"
        case gatewayMessageID = "gateway_message_id"
        case paymentIntent = "payment_intent"
        case paymentLink = "payment_link"
        case deliveryStatus = "delivery_status"
        case deliveryError = "delivery_error"
        case deliveredAt = "delivered_at"
    }

    init(_ record: NotificationRecord, attempts: [NotificationAttemptRecord]) {
        id = record.id.rawValue
        livemode = record.scope.livemode
        event = record.event.rawValue
        channel = record.channel.rawValue
        recipient = record.recipient
        locale = record.locale.rawValue
        status = record.status.rawValue
        subject = record.subject
        text = record.text
        html = record.html
        attemptCount = record.attempts
        self.attempts = attempts.map {
            Attempt(
                number: $0.number, started: Presenter.unix($0.startedAt), finished: $0.finishedAt.map(Presenter.unix),
                outcome: $0.outcome?.rawValue, error: $0.error, gatewayMessageID: $0.gatewayMessageID)
        }
        nextAttemptAt = record.nextAttemptAt.map(Presenter.unix)
        sentAt = record.sentAt.map(Presenter.unix)
        lastError = record.lastError
        gatewayMessageID = record.gatewayMessageID
        paymentIntent = record.paymentIntentID?.rawValue
        paymentLink = record.paymentLinkID
        deliveryStatus = record.deliveryStatus?.rawValue
        deliveryError = record.deliveryError
        deliveredAt = record.deliveredAt.map(Presenter.unix)
        created = Presenter.unix(record.createdAt)
        updated = Presenter.unix(record.updatedAt)
    }
}

/// A notification template as the API shows it: the merchant's override (`source: merchant`) or the default.
struct NotificationTemplateObject: Content, Equatable {
    var object = "notification_template"
    var livemode: Bool
    var event: String
    var locale: String
    var source: String
    var enabled: Bool
    var subject: String
    var text: String
    var html: String
    var sms: String
    /// The event's variables, which the texts may use as `{{name}}`.
    var variables: [String]
    @AlwaysEncoded var updated: Int64?

    init(_ view: NotificationTemplateView) {
        livemode = view.livemode
        event = view.event.rawValue
        locale = view.locale.rawValue
        source = view.source.rawValue
        enabled = view.enabled
        subject = view.template.subject
        text = view.template.text
        html = view.template.html
        sms = view.template.sms
        variables = view.event.variables.sorted()
        updated = view.updatedAt.map(Presenter.unix)
    }
}
