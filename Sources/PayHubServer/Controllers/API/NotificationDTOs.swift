import Foundation
import PayHubCore

struct CreateNotificationRequest: StrictRequest {
    var event: String
    var paymentIntent: String
    var channel: String?

    enum CodingKeys: String, CodingKey {
        case event, channel
        case paymentIntent = "payment_intent"
    }

    static let shape: [String: FieldShape] = ["event": .value, "payment_intent": .value, "channel": .value]
}

struct UpdateNotificationTemplateRequest: StrictRequest {
    var subject: String
    var text: String
    var html: String
    var sms: String
    var enabled: Bool?

    static let shape: [String: FieldShape] = ["subject": .value, "text": .value, "html": .value, "sms": .value, "enabled": .value]

    var template: NotificationTemplate { NotificationTemplate(subject: subject, text: text, html: html, sms: sms) }
}
