import Foundation
import PayHubCore

/// A notification as stored: to whom, in which language, its texts as rendered when it was enqueued, and how its
/// sending stands. An email has a subject, a text and an HTML body; an SMS has its text only.
struct NotificationRecord: Sendable, Equatable {
    var id: NotificationID
    let scope: TenantScope
    var event: NotificationEvent
    var channel: NotificationChannel
    var recipient: String
    var locale: CustomerLocale
    var subject: String?
    var text: String
    var html: String?
    var status: NotificationStatus
    /// Sends started, the one in progress included.
    var attempts: Int
    /// When the next try is due while it is queued; nil once final.
    var nextAttemptAt: Date?
    var sentAt: Date?
    var lastError: String?
    /// The mail's `Message-ID`, or the SMS gateway's id of the message (Twilio's `SM...` sid).
    var gatewayMessageID: String?
    var paymentIntentID: PaymentIntentID?
    /// A `plink_...` id (payment links are their own aggregate).
    var paymentLinkID: String?
    var idempotencyKey: String?
    var createdAt: Date
    var updatedAt: Date
    /// The invoice (`in_...`) whose stored PDF an `invoice` email attaches.
    var invoiceID: String? = nil
    /// What the SMS gateway last reported of the message after sending it (Twilio's status callback).
    var deliveryStatus: SMSStatus? = nil
    /// The gateway's error code when the message was not delivered (Twilio's `ErrorCode`).
    var deliveryError: String? = nil
    var deliveredAt: Date? = nil
}

/// One try at sending a notification.
struct NotificationAttemptRecord: Sendable, Equatable {
    enum Outcome: String, Sendable, CaseIterable {
        case sent
        /// Failed for a reason that may pass: tried again later.
        case retry
        /// Failed for good (a permanent refusal, or the last retry).
        case failed
    }

    var number: Int
    var startedAt: Date
    /// Nil while the attempt runs (or when its process died during it).
    var finishedAt: Date?
    var outcome: Outcome?
    var error: String?
    var gatewayMessageID: String?
}

/// A merchant's own texts for one event in one language. `enabled: false` stops the automatic notifications of
/// that event in that language (payment and refund outcomes); notifications asked for explicitly still go.
struct NotificationTemplateOverride: Sendable, Equatable {
    let scope: TenantScope
    var event: NotificationEvent
    var locale: CustomerLocale
    var template: NotificationTemplate
    var enabled: Bool
    var updatedAt: Date
}
