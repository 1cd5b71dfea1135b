import FluentKit
import Foundation
import Logging
import PayHubCore
import PayHubMail

extension JobKind {
    static let notificationSend = JobKind("notification.send")
}

/// Sends one notification (`NotificationSender`): one job per notification (its unique key), enqueued in the
/// transaction that wrote the notification, and moved to each retry's time. The job's lease keeps two processes
/// from running it at once; the notification's own claim keeps a job whose lease ran out from sending it twice.
struct NotificationSendJob: JobHandler {
    struct Payload: Codable, Sendable {
        var notification: String
    }

    let sender: NotificationSender

    init(context: PayHubContext, db: any Database, logger: Logger, mail: (any MailTransport)? = nil, sms: (any SMSGateway)? = nil) {
        sender = NotificationSender(context: context, db: db, logger: logger, mail: mail, sms: sms)
    }

    var kind: JobKind { .notificationSend }
    var lease: TimeInterval { NotificationSender.claimLease + 30 }

    static func job(notification id: NotificationID, at date: Date) -> NewJob {
        NewJob(
            kind: .notificationSend, payload: Payload(notification: id.rawValue), runAt: date, uniqueKey: "notification:\(id)",
            maxAttempts: NotificationBackoff.maxAttempts * 3)
    }

    func run(_ job: ClaimedJob) async throws -> JobOutcome {
        guard let id = NotificationID(validating: try job.decode(Payload.self).notification) else { return .done }
        switch try await sender.send(id) {
        case .done: return .done
        case .checkAgain(let date): return .retry(at: date, reason: "notification \(id) is due again then")
        }
    }
}
