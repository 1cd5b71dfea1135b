import FluentKit
import Foundation
import Logging
import PayHubCore
import SQLKit

extension JobKind {
    static let paymentLinkExpiry = JobKind("payment_link.expire")
    static let paymentLinkReminder = JobKind("payment_link.remind")
}

/// Ends a payment link when its time is up, and expires the checkout sessions opened through an ended link that
/// are still open: one job per link (its unique key), scheduled for `expires_at` when the link is created and made
/// due at once when the link is deactivated or has all its payments. The lease keeps two processes from running
/// it at once, and a repeated run changes nothing.
struct PaymentLinkExpiryJob: JobHandler {
    struct Payload: Codable, Sendable {
        var link: String
    }

    let context: PayHubContext
    let db: any Database
    let logger: Logger

    var kind: JobKind { .paymentLinkExpiry }
    var lease: TimeInterval { 120 }

    static func job(link id: PaymentLinkID, at date: Date) -> NewJob {
        NewJob(kind: .paymentLinkExpiry, payload: Payload(link: id.rawValue), runAt: date, uniqueKey: "plink_expiry:\(id)")
    }

    /// Inside the transaction that ended the link: its open sessions are expired right after.
    static func closeSessions(of record: PaymentLinkRecord, context: PayHubContext, on tx: any SQLDatabase) async throws {
        try await JobScheduler.enqueue(job(link: record.id, at: context.clock.now()), ifExists: .rearm, context: context, on: tx)
    }

    func run(_ job: ClaimedJob) async throws -> JobOutcome {
        guard let id = PaymentLinkID(validating: try job.decode(Payload.self).link) else { return .done }
        switch try await PaymentLinkService(context: context, db: db, logger: logger).expireOnTime(id) {
        case .done: return .done
        case .checkAgain(let date): return .reschedule(at: date)
        }
    }
}

/// Sends a link's one reminder (`PAYHUB_LINK_REMINDER_BEFORE` before it expires), scheduled when the link is first
/// sent; a link paid, ended or reminded meanwhile gets none.
struct PaymentLinkReminderJob: JobHandler {
    let context: PayHubContext
    let db: any Database
    let logger: Logger

    var kind: JobKind { .paymentLinkReminder }
    var lease: TimeInterval { 120 }

    static func job(link id: PaymentLinkID, at date: Date) -> NewJob {
        NewJob(
            kind: .paymentLinkReminder, payload: PaymentLinkExpiryJob.Payload(link: id.rawValue), runAt: date,
            uniqueKey: "plink_reminder:\(id)")
    }

    func run(_ job: ClaimedJob) async throws -> JobOutcome {
        guard let id = PaymentLinkID(validating: try job.decode(PaymentLinkExpiryJob.Payload.self).link) else { return .done }
        try await PaymentLinkService(context: context, db: db, logger: logger).remind(id)
        return .done
    }
}
