import Foundation
import PayHubCore
import SQLKit

/// Sending a payment link to its customer, inside the transaction that decides it: the notification goes into
/// the notification outbox, the link records when and how it was sent (`payment_link.sent`), and its one
/// reminder is scheduled.
enum PaymentLinkSending {
    static func send(
        _ record: PaymentLinkRecord, via channel: PaymentLinkChannel, context: PayHubContext, on tx: any SQLDatabase
    ) async throws -> PaymentLinkRecord {
        var record = record
        let now = context.clock.now()
        let recipient = try PaymentLinkService.recipient(of: record.customer, via: channel)
        try await PaymentLinkNotifications.enqueue(.link, of: record, to: recipient, via: channel, context: context, on: tx)
        record.sentVia = channel
        record.sentAt = now
        record.deliveredAt = nil
        record.link.updatedAt = now
        try await PaymentLinkRepository().save(record, on: tx)
        try await PaymentLinkService.recordEvents([.paymentLinkSent], of: record, context: context, on: tx)
        if record.reminderSentAt == nil,
           let at = PaymentLinkExpiry.reminderAt(expiresAt: record.link.expiresAt, before: context.config.linkReminderBefore, now: now) {
            try await JobScheduler.enqueue(PaymentLinkReminderJob.job(link: record.id, at: at), context: context, on: tx)
        }
        return record
    }

    /// The link's one reminder, the way it was last sent.
    static func remind(
        _ record: PaymentLinkRecord, via channel: PaymentLinkChannel, context: PayHubContext, on tx: any SQLDatabase
    ) async throws -> PaymentLinkRecord {
        var record = record
        let now = context.clock.now()
        let recipient = try PaymentLinkService.recipient(of: record.customer, via: channel)
        try await PaymentLinkNotifications.enqueue(.reminder, of: record, to: recipient, via: channel, context: context, on: tx)
        record.reminderSentAt = now
        record.link.updatedAt = now
        try await PaymentLinkRepository().save(record, on: tx)
        return record
    }
}
