import Foundation
import PayHubConnectors
import PayHubCore
import SQLKit

/// Payment links and the checkout sessions opened through them: the only code that reads or writes
/// `payment_links` and `payment_link_sessions`. Tenant-facing methods take the scope; the customer's page and the
/// jobs, which know a link by id only, read it through a `SystemScope`, and the record carries its scope.
struct PaymentLinkRepository: Sendable {
    static let table = "payment_links"
    private static let columns = """
        id, merchant_id, livemode, status, reusable, max_payments, payments_count, currency, amount_subtotal, amount_tax, \
        amount_total, line_items, description, customer, success_url, user_type, channel, country, metadata, \
        checkout_session_id, current_session_id, sent_via, sent_at, delivered_at, opened_at, reminder_sent_at, expires_at, \
        completed_at, deactivated_at, expired_at, created_at, updated_at, idempotency_key
        """

    func insert(_ record: PaymentLinkRecord, on tx: any SQLDatabase) async throws {
        let link = record.link
        let totals = record.totals
        let values: [any Encodable & Sendable] = [
            link.id.rawValue, record.scope.merchantID, record.scope.livemode, link.status.rawValue, link.reusable, link.maxPayments,
            link.paymentsCount, totals.currency.code, totals.amountSubtotal, totals.amountTax, totals.amountTotal,
            JSONText.encode(totals.lines.map(StoredCheckoutLine.init)), record.description,
            record.customer.map { JSONText.encode(CustomerObject($0)) },
            record.successURL, record.userType, record.channel.rawValue, record.country, JSONText.encode(record.metadata),
            record.checkoutSessionID?.rawValue, record.currentSessionID?.rawValue, record.sentVia?.rawValue, record.sentAt,
            record.deliveredAt, link.openedAt, record.reminderSentAt, link.expiresAt, link.completedAt, link.deactivatedAt,
            link.expiredAt, link.createdAt, link.updatedAt, record.idempotencyKey,
        ]
        try await tx.raw("INSERT INTO payment_links (\(unsafeRaw: Self.columns)) VALUES (\(binds: values))").run()
    }

    func link(_ id: PaymentLinkID, in scope: TenantScope, on db: any SQLDatabase) async throws -> PaymentLinkRecord? {
        guard let row = try await db.raw(ScopedSelect.byID(id.rawValue, from: Self.table, columns: Self.columns, in: scope)).first()
        else { return nil }
        return try Self.record(row: row)
    }

    /// The link, whoever's it is: for the customer's page and the jobs, which know it by id only.
    func link(_ id: PaymentLinkID, for _: SystemScope, on db: any SQLDatabase) async throws -> PaymentLinkRecord? {
        guard let row = try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM payment_links WHERE id = \(bind: id.rawValue)").first()
        else { return nil }
        return try Self.record(row: row)
    }

    /// The link, locked until the transaction ends.
    func lock(_ id: PaymentLinkID, in scope: TenantScope, on tx: any SQLDatabase) async throws -> PaymentLinkRecord? {
        try await tx.lockForUpdate(Self.table, id: id.rawValue)
        return try await link(id, in: scope, on: tx)
    }

    /// The newest link that a request with this `Idempotency-Key` created since `since`.
    func link(createdByIdempotencyKey key: String, in scope: TenantScope, since: Date, on db: any SQLDatabase) async throws -> PaymentLinkRecord? {
        let query = ScopedSelect.createdBy(idempotencyKey: key, from: Self.table, columns: Self.columns, in: scope, since: since)
        guard let row = try await db.raw(query).first() else { return nil }
        return try Self.record(row: row)
    }

    /// The link made for a shop's session, if there is one.
    func link(madeFor sessionID: CheckoutSessionID, in scope: TenantScope, on db: any SQLDatabase) async throws -> PaymentLinkRecord? {
        guard let row = try await db.raw("""
            SELECT \(unsafeRaw: Self.columns) FROM payment_links WHERE checkout_session_id = \(bind: sessionID.rawValue) \
            AND merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode)
            """).first()
        else { return nil }
        return try Self.record(row: row)
    }

    /// One page of the scope's links, newest first.
    func links(in scope: TenantScope, status: PaymentLinkStatus?, page: PageRequest, on db: any SQLDatabase) async throws -> RecordPage<PaymentLinkRecord> {
        var filters: [SQLQueryString] = []
        if let status { filters.append("status = \(bind: status.rawValue)") }
        let found = try await ScopedPage.rows(from: Self.table, columns: Self.columns, in: scope, filters: filters, page: page, on: db)
        return RecordPage(items: try found.rows.map(Self.record(row:)), hasMore: found.hasMore)
    }

    /// Saves what `PaymentLinkMachine` changes and what PayHub learns of the link's sessions and sendings.
    func save(_ record: PaymentLinkRecord, on tx: any SQLDatabase) async throws {
        let link = record.link
        try await tx.raw("""
            UPDATE payment_links SET status = \(bind: link.status.rawValue), payments_count = \(bind: link.paymentsCount), \
            customer = \(bind: record.customer.map { JSONText.encode(CustomerObject($0)) }), \
            current_session_id = \(bind: record.currentSessionID?.rawValue), sent_via = \(bind: record.sentVia?.rawValue), \
            sent_at = \(bind: record.sentAt), delivered_at = \(bind: record.deliveredAt), opened_at = \(bind: link.openedAt), \
            reminder_sent_at = \(bind: record.reminderSentAt), completed_at = \(bind: link.completedAt), \
            deactivated_at = \(bind: link.deactivatedAt), expired_at = \(bind: link.expiredAt), updated_at = \(bind: link.updatedAt) \
            WHERE id = \(bind: link.id.rawValue) AND merchant_id = \(bind: record.scope.merchantID) \
            AND livemode = \(bind: record.scope.livemode)
            """).run()
    }

    /// Notes that the link's message reached the customer, unless the link was sent again after `sentAt` (a late
    /// report of an earlier message says nothing of the latest one).
    func markDelivered(_ id: String, sentAt: Date, at now: Date, for _: SystemScope, on tx: any SQLDatabase) async throws {
        try await tx.raw("""
            UPDATE payment_links SET delivered_at = \(bind: now), updated_at = \(bind: now) \
            WHERE id = \(bind: id) AND delivered_at IS NULL AND sent_at IS NOT NULL AND sent_at <= \(bind: sentAt)
            """).run()
    }

    // MARK: - The link's sessions

    /// Notes that a checkout session was opened through a link.
    func attach(_ sessionID: CheckoutSessionID, to record: PaymentLinkRecord, at now: Date, on tx: any SQLDatabase) async throws {
        try await tx.raw("""
            INSERT INTO payment_link_sessions (checkout_session_id, payment_link_id, merchant_id, livemode, created_at) \
            VALUES (\(bind: sessionID.rawValue), \(bind: record.id.rawValue), \(bind: record.scope.merchantID), \
            \(bind: record.scope.livemode), \(bind: now))
            """).run()
    }

    /// The link a checkout session was opened through, if any.
    func linkID(of sessionID: CheckoutSessionID, in scope: TenantScope, on db: any SQLDatabase) async throws -> PaymentLinkID? {
        guard let row = try await db.raw("""
            SELECT payment_link_id FROM payment_link_sessions WHERE checkout_session_id = \(bind: sessionID.rawValue) \
            AND merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode)
            """).first()
        else { return nil }
        let raw = try row.decode(column: "payment_link_id", as: String.self)
        guard let id = PaymentLinkID(validating: raw) else {
            throw StoredValueInvalid(table: "payment_link_sessions", column: "payment_link_id", id: sessionID.rawValue)
        }
        return id
    }

    /// The sessions opened through a link, oldest first.
    func sessionIDs(of record: PaymentLinkRecord, on db: any SQLDatabase) async throws -> [CheckoutSessionID] {
        let rows = try await db.raw("""
            SELECT checkout_session_id FROM payment_link_sessions WHERE payment_link_id = \(bind: record.id.rawValue) \
            AND merchant_id = \(bind: record.scope.merchantID) AND livemode = \(bind: record.scope.livemode) \
            ORDER BY created_at, checkout_session_id
            """).all()
        return try rows.map { row in
            let raw = try row.decode(column: "checkout_session_id", as: String.self)
            guard let id = CheckoutSessionID(validating: raw) else {
                throw StoredValueInvalid(table: "payment_link_sessions", column: "checkout_session_id", id: record.id.rawValue)
            }
            return id
        }
    }

    private static func record(row: any SQLRow) throws -> PaymentLinkRecord {
        let stored = try StoredRow(table: table, id: try row.decode(column: "id", as: String.self))
        let currency: Currency
        do {
            currency = try Currency(code: try row.decode(column: "currency", as: String.self))
        } catch {
            throw stored.invalid("currency")
        }
        let lines = try stored.json([StoredCheckoutLine].self, try row.decode(column: "line_items", as: String.self), column: "line_items")
        var link = PaymentLink(
            id: try stored.id(stored.id, column: "id"),
            reusable: try row.decode(column: "reusable", as: Bool.self),
            maxPayments: try row.optional("max_payments"),
            expiresAt: try row.decode(column: "expires_at", as: Date.self),
            createdAt: try row.decode(column: "created_at", as: Date.self))
        link.status = try stored.parse(try row.decode(column: "status", as: String.self), column: "status")
        link.paymentsCount = try row.decode(column: "payments_count", as: Int.self)
        link.openedAt = try row.optional("opened_at")
        link.completedAt = try row.optional("completed_at")
        link.deactivatedAt = try row.optional("deactivated_at")
        link.expiredAt = try row.optional("expired_at")
        link.updatedAt = try row.decode(column: "updated_at", as: Date.self)
        let customer: CustomerObject? = try (try row.optional("customer", as: String.self)).map {
            try stored.json(CustomerObject.self, $0, column: "customer")
        }
        let checkoutSession: String? = try row.optional("checkout_session_id")
        let currentSession: String? = try row.optional("current_session_id")
        let sentVia: String? = try row.optional("sent_via")
        return PaymentLinkRecord(
            link: link,
            scope: try TenantScope(row: row),
            totals: CheckoutTotals(
                lines: lines.map(\.line),
                amountSubtotal: try row.decode(column: "amount_subtotal", as: Int64.self),
                amountTax: try row.decode(column: "amount_tax", as: Int64.self),
                amountTotal: try row.decode(column: "amount_total", as: Int64.self),
                currency: currency),
            description: try row.optional("description"),
            customer: customer.map(\.details),
            successURL: try row.optional("success_url"),
            userType: try row.optional("user_type"),
            channel: try stored.parse(try row.decode(column: "channel", as: String.self), column: "channel"),
            country: try row.optional("country"),
            metadata: try stored.json([String: String].self, try row.decode(column: "metadata", as: String.self), column: "metadata"),
            checkoutSessionID: try checkoutSession.map { try stored.id($0, column: "checkout_session_id") },
            currentSessionID: try currentSession.map { try stored.id($0, column: "current_session_id") },
            sentVia: try sentVia.map { try stored.parse($0, column: "sent_via") },
            sentAt: try row.optional("sent_at"),
            deliveredAt: try row.optional("delivered_at"),
            reminderSentAt: try row.optional("reminder_sent_at"),
            idempotencyKey: try row.optional("idempotency_key"))
    }
}
