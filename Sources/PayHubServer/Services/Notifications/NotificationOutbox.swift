import Foundation
import PayHubCore
import SQLKit

/// What to send to whom: an event's template, in a language, with its variables. `merchant_name` is filled in by
/// the outbox when absent; a variable without a value renders as nothing (templates show optional parts in
/// `{{#name}}...{{/name}}` sections).
struct NotificationRequest: Sendable {
    var event: NotificationEvent
    var channel: NotificationChannel
    /// An email address for `email`; a phone number in E.164 form (`+393331234567`, spaces allowed) for `sms`.
    var recipient: String
    var locale: CustomerLocale
    var variables: [String: String]
    var paymentIntentID: PaymentIntentID?
    /// A payment link's `plink_...` id.
    var paymentLinkID: String?
    /// The invoice whose PDF the email attaches (read when it is sent).
    var invoiceID: String?

    init(
        event: NotificationEvent, channel: NotificationChannel, recipient: String, locale: CustomerLocale, variables: [String: String],
        paymentIntentID: PaymentIntentID? = nil, paymentLinkID: String? = nil, invoiceID: String? = nil
    ) {
        self.invoiceID = invoiceID
        self.event = event
        self.channel = channel
        self.recipient = recipient
        self.locale = locale
        self.variables = variables
        self.paymentIntentID = paymentIntentID
        self.paymentLinkID = paymentLinkID
    }
}

/// The notification outbox. `enqueue` runs inside the caller's transaction: it renders the texts (the merchant's
/// override in that language, else the default) and stores the notification with the job that sends it, so both
/// exist only if the change that caused them commits. `NotificationSendJob` sends it.
struct NotificationOutbox: Sendable {
    let context: PayHubContext

    init(context: PayHubContext) {
        self.context = context
    }

    func enqueue(_ request: NotificationRequest, in scope: TenantScope, on tx: any SQLDatabase) async throws -> NotificationRecord {
        try await enqueue(request, in: scope, idempotencyKey: nil, on: tx)
    }

    /// The same, remembering the `Idempotency-Key` of the API request that asked for it (`POST /v1/notifications`).
    func enqueue(
        _ request: NotificationRequest, in scope: TenantScope, idempotencyKey: String?, on tx: any SQLDatabase
    ) async throws -> NotificationRecord {
        let recipient = try Self.recipient(request.recipient, channel: request.channel)
        if let unknown = Set(request.variables.keys).subtracting(request.event.variables).sorted().first {
            throw ServiceError.invalid(
                "parameter_invalid", "\(request.event.rawValue) has no template variable '\(unknown)'.", param: "variables")
        }
        if let link = request.paymentLinkID, !Self.isPaymentLinkID(link) {
            throw ServiceError.invalid("parameter_invalid", "payment_link must be a payment link id (plink_...).", param: "payment_link")
        }
        let template = try await NotificationTemplates.parsed(request.event, request.locale, in: scope, on: tx)
        var values = request.variables
        if values["merchant_name"] == nil, let merchant = try await MerchantRepository().find(try MerchantID(parsing: scope.merchantID), on: tx) {
            values["merchant_name"] = merchant.name
        }
        let rendered = template.render(values)
        let now = context.clock.now()
        let email = request.channel == .email
        let record = NotificationRecord(
            id: context.ids.make(), scope: scope, event: request.event, channel: request.channel, recipient: recipient,
            locale: request.locale, subject: email ? rendered.subject : nil, text: email ? rendered.text : rendered.sms,
            html: email ? rendered.html : nil, status: .queued, attempts: 0, nextAttemptAt: now, sentAt: nil, lastError: nil,
            gatewayMessageID: nil, paymentIntentID: request.paymentIntentID, paymentLinkID: request.paymentLinkID,
            idempotencyKey: idempotencyKey, createdAt: now, updatedAt: now, invoiceID: request.invoiceID)
        try await NotificationRepository().insert(record, on: tx)
        try await JobScheduler.enqueue(NotificationSendJob.job(notification: record.id, at: now), context: context, on: tx)
        return record
    }

    /// The recipient as stored: an email address as given, a phone number without its spaces.
    static func recipient(_ raw: String, channel: NotificationChannel) throws -> String {
        switch channel {
        case .email:
            guard raw.count <= 254, raw.wholeMatch(of: /[^@\s<>",]+@[^@\s<>",]+\.[^@\s<>",]+/) != nil else {
                throw ServiceError.invalid("email_invalid", "The recipient is not an email address.", param: "recipient")
            }
            return raw
        case .sms:
            let phone = raw.filter { $0 != " " }
            guard phone.wholeMatch(of: /\+[1-9][0-9]{6,14}/) != nil else {
                throw ServiceError.invalid(
                    "phone_invalid", "An SMS needs a phone number in international form, such as +393331234567.", param: "recipient")
            }
            return phone
        }
    }

    static func isPaymentLinkID(_ raw: String) -> Bool {
        raw.hasPrefix("plink_") && raw.count <= 64 && raw.count > 6
            && raw.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}
