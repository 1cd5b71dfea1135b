import FluentKit
import Foundation
import Logging
import PayHubCore
import PayHubMail
import SQLKit

/// Sends one notification: claims it (a lease on the row, so two processes never send it at once), calls the mail
/// transport or SMS gateway outside any transaction, then records the attempt and the outcome in one transaction,
/// with `notification.sent` or `notification.failed`. A refusal that may pass (SMTP 4xx, network, Twilio 429/5xx)
/// is tried again after `NotificationBackoff`; a permanent one (SMTP 5xx, Twilio 4xx, an unsendable message) fails
/// at once. A process that dies between the transport's answer and the record leaves the claim to run out: the
/// notification is then sent again (at least once).
struct NotificationSender: Sendable {
    let context: PayHubContext
    let db: any Database
    let logger: Logger
    var mail: any MailTransport
    var sms: any SMSGateway

    init(context: PayHubContext, db: any Database, logger: Logger, mail: (any MailTransport)? = nil, sms: (any SMSGateway)? = nil) {
        self.context = context
        self.db = db
        self.logger = logger
        self.mail = mail ?? context.mail
        self.sms = sms ?? context.sms
    }

    /// How long a claim lasts: longer than any transport's timeout.
    static let claimLease: TimeInterval = 180

    enum Step: Equatable, Sendable {
        /// Sent, failed for good, or gone: nothing left to do.
        case done
        /// Look again then: a retry is due, or another process's claim ends.
        case checkAgain(at: Date)
    }

    func send(_ id: NotificationID) async throws -> Step {
        let repository = NotificationRepository()
        let token = context.ids.randomToken(length: 24)
        let claimedAt = context.clock.now()
        let claimed = try await context.transactor.writeSQL(on: db) { tx in
            try await repository.claim(id, token: token, now: claimedAt, leaseUntil: claimedAt.addingTimeInterval(Self.claimLease), on: tx)
        }
        guard let notification = claimed else { return try await unclaimed(id) }

        let result: NotificationRepository.SendResult
        do {
            let messageID = try await deliver(notification)
            result = .init(status: .sent, outcome: .sent, nextAttemptAt: nil, error: nil, gatewayMessageID: messageID)
        } catch {
            let (reason, transient) = Self.classify(error)
            let delay = transient ? NotificationBackoff.delay(afterAttempt: notification.attempts) : nil
            logger.warning("notification send failed", metadata: [
                "notification": "\(id)", "attempt": "\(notification.attempts)", "retry": "\(delay != nil)", "error": "\(reason)",
            ])
            if let delay {
                result = .init(status: .queued, outcome: .retry, nextAttemptAt: context.clock.now().addingTimeInterval(delay), error: reason)
            } else {
                result = .init(status: .failed, outcome: .failed, nextAttemptAt: nil, error: reason)
            }
        }
        let finishedAt = context.clock.now()
        let context = self.context
        let held = try await context.transactor.writeSQL(on: db) { tx -> Bool in
            guard try await repository.finish(id, attempt: notification.attempts, token: token, result: result, now: finishedAt, on: tx) else {
                return false
            }
            guard result.status.isFinal, let current = try await repository.notification(id, for: .notificationSender, on: tx) else { return true }
            let attempts = try await repository.attempts(of: id, on: tx)
            try await EventRecorder(context: context).record(
                [result.status == .sent ? .notificationSent : .notificationFailed],
                object: NotificationObject(current, attempts: attempts), objectID: id.rawValue,
                merchantID: current.scope.merchantID, livemode: current.scope.livemode, on: tx)
            return true
        }
        if !held { logger.warning("notification claim ran out during its send; its result is logged only", metadata: ["notification": "\(id)"]) }
        if let next = result.nextAttemptAt, held { return .checkAgain(at: next) }
        return held ? .done : try await unclaimed(id)
    }

    /// Why a claim was refused: finished, not due yet, or sending elsewhere.
    private func unclaimed(_ id: NotificationID) async throws -> Step {
        let repository = NotificationRepository()
        let reader = context.transactor.reader(db)
        guard let current = try await repository.notification(id, for: .notificationSender, on: reader) else { return .done }
        switch current.status {
        case .sent, .failed: return .done
        case .queued: return .checkAgain(at: current.nextAttemptAt ?? context.clock.now())
        case .sending: return .checkAgain(at: try await repository.leaseUntil(id, on: reader) ?? context.clock.now())
        }
    }

    /// Hands the notification to its transport; returns the mail's `Message-ID` or the gateway's message id.
    private func deliver(_ notification: NotificationRecord) async throws -> String {
        switch notification.channel {
        case .sms:
            return try await sms.send(to: notification.recipient, text: notification.text).messageID
        case .email:
            let merchant = try await MerchantRepository().find(
                try MerchantID(parsing: notification.scope.merchantID), on: context.transactor.reader(db))
            let sender = context.config.mail.from
            let message = MailMessage(
                from: MailAddress(sender.address, name: merchant?.name ?? sender.name), to: [MailAddress(notification.recipient)],
                subject: notification.subject ?? "", textBody: notification.text, htmlBody: notification.html,
                extraHeaders: [
                    .init("X-PayHub-Notification", notification.id.rawValue),
                    .init("X-PayHub-Livemode", notification.scope.livemode ? "true" : "false"),
                ],
                attachments: try await InvoiceFiles(context: context, db: db).attachments(for: notification))
            return try await mail.send(message).messageID
        }
    }

    /// A short reason for the log and the API, and whether trying again may work.
    static func classify(_ error: any Error) -> (reason: String, transient: Bool) {
        switch error {
        case let error as SMTPError: (error.description, error.isTransient)
        case let error as SMSGatewayError: (error.description, error.isTransient)
        case let error as MailMessageError: (error.description, false)
        default: (String(describing: error), true)
        }
    }
}
