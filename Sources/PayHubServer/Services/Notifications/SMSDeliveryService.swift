import FluentKit
import Foundation
import Logging

/// The SMS gateway's delivery reports (Twilio's status callback at `TwilioStatusCallback.path`): verified with the
/// account's auth token, then recorded on the message's notification, and on its payment link when it reached the
/// customer. Reports only move a message forward, so a late `sent` never undoes `delivered`, and a report repeated
/// changes nothing.
struct SMSDeliveryService: Sendable {
    let context: PayHubContext
    let db: any Database
    let logger: Logger

    enum Outcome: String {
        case applied, ignored, unknownObject = "unknown_object"
    }

    func receiveTwilioReport(parameters: [(String, String)], signature: String?) async throws -> Outcome {
        guard case .twilio(let credentials, _) = context.config.sms, let callbackURL = context.config.smsStatusCallbackURL else {
            throw ServiceError.notFound("sms_gateway", id: "twilio")
        }
        let report: TwilioStatusCallback
        do {
            report = try TwilioStatusCallback(url: callbackURL, parameters: parameters, signature: signature, authToken: credentials.authToken)
        } catch .signature {
            logger.warning("SMS status callback rejected: signature invalid")
            throw ServiceError.invalid("webhook_invalid", "The status callback could not be verified.")
        } catch .fields {
            throw ServiceError.invalid("parameter_invalid", "The status callback needs a MessageSid and a known MessageStatus.")
        }
        let now = context.clock.now()
        return try await context.transactor.writeSQL(on: db) { tx in
            let notifications = NotificationRepository()
            guard var notification = try await notifications.lockSMS(gatewayMessageID: report.messageID, for: .smsDeliveryReport, on: tx) else {
                return Outcome.unknownObject
            }
            let current = notification.deliveryStatus?.stage ?? SMSStatus.sent.stage
            guard report.status.stage > current || (report.status.stage == current && notification.deliveryStatus == nil) else { return .ignored }
            notification.deliveryStatus = report.status
            notification.deliveryError = report.status.reachedRecipient ? nil : report.errorCode
            if report.status.reachedRecipient, notification.deliveredAt == nil { notification.deliveredAt = now }
            notification.updatedAt = now
            try await notifications.saveDelivery(of: notification, on: tx)
            if report.status.reachedRecipient, let link = notification.paymentLinkID {
                try await PaymentLinkRepository().markDelivered(link, sentAt: notification.createdAt, at: now, for: .smsDeliveryReport, on: tx)
            }
            return .applied
        }
    }
}
