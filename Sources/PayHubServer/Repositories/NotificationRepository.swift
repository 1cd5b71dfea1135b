import Foundation
import PayHubCore
import SQLKit

/// Notifications and their attempts: the only code on `notifications` and `notification_attempts`. The API reads
/// through the tenant scope; the send job, which knows a notification by id only, through a `SystemScope`. A send
/// is claimed with a lease token (a conditional update), and only the holder of the token records its result.
struct NotificationRepository: Sendable {
    static let table = "notifications"
    private static let columns = """
        id, merchant_id, livemode, event, channel, recipient, locale, subject, body_text, body_html, status, attempts, \
        next_attempt_at, sent_at, last_error, gateway_message_id, payment_intent_id, payment_link_id, idempotency_key, \
        created_at, updated_at, invoice_id, delivery_status, delivery_error, delivered_at
        """

    func insert(_ record: NotificationRecord, on tx: any SQLDatabase) async throws {
        let values: [any Encodable & Sendable] = [
            record.id.rawValue, record.scope.merchantID, record.scope.livemode, record.event.rawValue, record.channel.rawValue,
            record.recipient, record.locale.rawValue, record.subject, record.text, record.html, record.status.rawValue,
            Int64(record.attempts), record.nextAttemptAt, record.sentAt, record.lastError, record.gatewayMessageID,
            record.paymentIntentID?.rawValue, record.paymentLinkID, record.idempotencyKey, record.createdAt, record.updatedAt,
            record.invoiceID,
        ]
        let reported: [any Encodable & Sendable] = [record.deliveryStatus?.rawValue, record.deliveryError, record.deliveredAt]
        try await tx.raw("INSERT INTO notifications (\(unsafeRaw: Self.columns)) VALUES (\(binds: values + reported))").run()
    }

    func notification(_ id: NotificationID, in scope: TenantScope, on db: any SQLDatabase) async throws -> NotificationRecord? {
        guard let row = try await db.raw(ScopedSelect.byID(id.rawValue, from: Self.table, columns: Self.columns, in: scope)).first()
        else { return nil }
        return try Self.record(row: row)
    }

    /// The notification, whoever's it is: for the send job. The record carries its scope.
    func notification(_ id: NotificationID, for _: SystemScope, on db: any SQLDatabase) async throws -> NotificationRecord? {
        guard let row = try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM notifications WHERE id = \(bind: id.rawValue)").first()
        else { return nil }
        return try Self.record(row: row)
    }

    /// The newest notification that a request with this `Idempotency-Key` created since `since`.
    func notification(createdByIdempotencyKey key: String, in scope: TenantScope, since: Date, on db: any SQLDatabase) async throws -> NotificationRecord? {
        let query = ScopedSelect.createdBy(idempotencyKey: key, from: Self.table, columns: Self.columns, in: scope, since: since)
        guard let row = try await db.raw(query).first() else { return nil }
        return try Self.record(row: row)
    }

    /// One page of the scope's notifications, newest first.
    func notifications(
        in scope: TenantScope, status: NotificationStatus?, paymentIntent: PaymentIntentID?, paymentLink: String?, page: PageRequest,
        on db: any SQLDatabase
    ) async throws -> RecordPage<NotificationRecord> {
        var filters: [SQLQueryString] = []
        if let status { filters.append("status = \(bind: status.rawValue)") }
        if let paymentIntent { filters.append("payment_intent_id = \(bind: paymentIntent.rawValue)") }
        if let paymentLink { filters.append("payment_link_id = \(bind: paymentLink)") }
        let found = try await ScopedPage.rows(from: Self.table, columns: Self.columns, in: scope, filters: filters, page: page, on: db)
        return RecordPage(items: try found.rows.map(Self.record(row:)), hasMore: found.hasMore)
    }

    func attempts(of id: NotificationID, on db: any SQLDatabase) async throws -> [NotificationAttemptRecord] {
        try await attempts(of: [id], on: db)[id] ?? []
    }

    /// The attempts of several notifications (a page of them) in one query, oldest first.
    func attempts(of ids: [NotificationID], on db: any SQLDatabase) async throws -> [NotificationID: [NotificationAttemptRecord]] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await db.raw("""
            SELECT notification_id, number, started_at, finished_at, outcome, error, gateway_message_id FROM notification_attempts \
            WHERE notification_id IN (\(binds: ids.map(\.rawValue))) ORDER BY notification_id, number
            """).all()
        var found: [NotificationID: [NotificationAttemptRecord]] = [:]
        for row in rows {
            let stored = try StoredRow(table: "notification_attempts", id: try row.decode(column: "notification_id", as: String.self))
            let outcome: String? = try row.optional("outcome")
            let id: NotificationID = try stored.id(stored.id, column: "notification_id")
            found[id, default: []].append(NotificationAttemptRecord(
                number: Int(try row.decode(column: "number", as: Int64.self)),
                startedAt: try row.decode(column: "started_at", as: Date.self),
                finishedAt: try row.optional("finished_at"),
                outcome: try outcome.map { try stored.parse($0, column: "outcome") },
                error: try row.optional("error"),
                gatewayMessageID: try row.optional("gateway_message_id")))
        }
        return found
    }

    // MARK: - Sending

    /// Claims the send: a queued notification that is due, or one whose previous claim's lease ran out (its process died
    /// mid-send), becomes `sending` under `token` until `leaseUntil`, with one more attempt, which is logged.
    /// Nil when it is sent, failed, or being sent by someone else right now.
    func claim(
        _ id: NotificationID, token: String, now: Date, leaseUntil: Date, on tx: any SQLDatabase
    ) async throws -> NotificationRecord? {
        guard let row = try await tx.raw("""
            UPDATE notifications SET status = \(bind: NotificationStatus.sending.rawValue), attempts = attempts + 1, \
            lease_token = \(bind: token), lease_until = \(bind: leaseUntil), updated_at = \(bind: now) \
            WHERE id = \(bind: id.rawValue) AND ((status = \(bind: NotificationStatus.queued.rawValue) \
            AND (next_attempt_at IS NULL OR next_attempt_at <= \(bind: now))) OR (status = \(bind: NotificationStatus.sending.rawValue) AND lease_until < \(bind: now))) \
            RETURNING attempts
            """).first()
        else { return nil }
        let number = try row.decode(column: "attempts", as: Int64.self)
        try await tx.raw("""
            INSERT INTO notification_attempts (id, notification_id, number, started_at) \
            VALUES (\(bind: "\(id.rawValue)_\(number)"), \(bind: id.rawValue), \(bind: number), \(bind: now))
            """).run()
        return try await notification(id, for: .notificationSender, on: tx)
    }

    /// When a claimed notification's lease ends (to wait for a send that another process is making).
    func leaseUntil(_ id: NotificationID, on db: any SQLDatabase) async throws -> Date? {
        guard let row = try await db.raw("SELECT lease_until FROM notifications WHERE id = \(bind: id.rawValue)").first() else { return nil }
        return try row.optional("lease_until")
    }

    /// What a send's result makes of the notification.
    struct SendResult: Sendable {
        var status: NotificationStatus
        var outcome: NotificationAttemptRecord.Outcome
        var nextAttemptAt: Date?
        var error: String?
        var gatewayMessageID: String?
    }

    /// Records the result of attempt `number` if `token` still holds the claim; false when it does not (the lease
    /// ran out and another claim took over: the attempt is logged all the same).
    func finish(
        _ id: NotificationID, attempt number: Int, token: String, result: SendResult, now: Date, on tx: any SQLDatabase
    ) async throws -> Bool {
        try await tx.raw("""
            UPDATE notification_attempts SET finished_at = \(bind: now), outcome = \(bind: result.outcome.rawValue), \
            error = \(bind: result.error), gateway_message_id = \(bind: result.gatewayMessageID) \
            WHERE notification_id = \(bind: id.rawValue) AND number = \(bind: Int64(number))
            """).run()
        let sentAt: Date? = result.status == .sent ? now : nil
        let held = try await tx.raw("""
            UPDATE notifications SET status = \(bind: result.status.rawValue), next_attempt_at = \(bind: result.nextAttemptAt), \
            sent_at = \(bind: sentAt), last_error = \(bind: result.error), \
            gateway_message_id = \(bind: result.gatewayMessageID), lease_token = NULL, lease_until = NULL, updated_at = \(bind: now) \
            WHERE id = \(bind: id.rawValue) AND lease_token = \(bind: token) RETURNING id
            """).first()
        return held != nil
    }

    // MARK: - Delivery reports

    /// The SMS the gateway knows by `messageID`, locked for the report's transaction (PostgreSQL); whoever's it is.
    func lockSMS(gatewayMessageID messageID: String, for _: SystemScope, on tx: any SQLDatabase) async throws -> NotificationRecord? {
        guard let row = try await tx.raw("""
            SELECT \(unsafeRaw: Self.columns) FROM notifications \
            WHERE gateway_message_id = \(bind: messageID) AND channel = \(bind: NotificationChannel.sms.rawValue)
            """).first()
        else { return nil }
        let record = try Self.record(row: row)
        try await tx.lockForUpdate(Self.table, id: record.id.rawValue)
        return record
    }

    func saveDelivery(of record: NotificationRecord, on tx: any SQLDatabase) async throws {
        try await tx.raw("""
            UPDATE notifications SET delivery_status = \(bind: record.deliveryStatus?.rawValue), \
            delivery_error = \(bind: record.deliveryError), delivered_at = \(bind: record.deliveredAt), updated_at = \(bind: record.updatedAt) \
            WHERE id = \(bind: record.id.rawValue)
            """).run()
    }

    private static func record(row: any SQLRow) throws -> NotificationRecord {
        let stored = try StoredRow(table: table, id: try row.decode(column: "id", as: String.self))
        let intent: String? = try row.optional("payment_intent_id")
        return NotificationRecord(
            id: try stored.id(stored.id, column: "id"),
            scope: try TenantScope(row: row),
            event: try stored.parse(try row.decode(column: "event", as: String.self), column: "event"),
            channel: try stored.parse(try row.decode(column: "channel", as: String.self), column: "channel"),
            recipient: try row.decode(column: "recipient", as: String.self),
            locale: try stored.parse(try row.decode(column: "locale", as: String.self), column: "locale"),
            subject: try row.optional("subject"),
            text: try row.decode(column: "body_text", as: String.self),
            html: try row.optional("body_html"),
            status: try stored.parse(try row.decode(column: "status", as: String.self), column: "status"),
            attempts: Int(try row.decode(column: "attempts", as: Int64.self)),
            nextAttemptAt: try row.optional("next_attempt_at"),
            sentAt: try row.optional("sent_at"),
            lastError: try row.optional("last_error"),
            gatewayMessageID: try row.optional("gateway_message_id"),
            paymentIntentID: try intent.map { try stored.id($0, column: "payment_intent_id") },
            paymentLinkID: try row.optional("payment_link_id"),
            idempotencyKey: try row.optional("idempotency_key"),
            createdAt: try row.decode(column: "created_at", as: Date.self),
            updatedAt: try row.decode(column: "updated_at", as: Date.self),
            invoiceID: try row.optional("invoice_id"),
            deliveryStatus: try (try row.optional("delivery_status") as String?).map { try stored.parse($0, column: "delivery_status") },
            deliveryError: try row.optional("delivery_error"),
            deliveredAt: try row.optional("delivered_at"))
    }
}
