import Foundation
import PayHubConnectors
import PayHubCore
import SQLKit

/// Checkout sessions: the only code that reads or writes `checkout_sessions`. Every tenant-facing method takes the
/// tenant scope; the expiry job, which knows a session by id only, reads it through a `SystemScope`. Each method
/// is one statement with fixed text (a page's conditions aside), so PostgreSQL can prepare it.
struct CheckoutSessionRepository: Sendable {
    static let table = "checkout_sessions"
    private static let columns = """
        id, merchant_id, livemode, status, payment_intent_id, currency, amount_subtotal, amount_tax, amount_total, \
        line_items, customer, customer_reference, purchase_reference, success_url, cancel_url, locale, user_type, \
        channel, country, metadata, expires_at, completed_at, expired_at, created_at, updated_at, idempotency_key, theme, \
        subscription_id
        """

    func insert(_ record: CheckoutSessionRecord, on tx: any SQLDatabase) async throws {
        let session = record.session
        let values: [any Encodable & Sendable] = [
            session.id.rawValue, record.scope.merchantID, record.scope.livemode, session.status.rawValue,
            session.paymentIntentID.rawValue, session.totals.currency.code, session.totals.amountSubtotal, session.totals.amountTax,
            session.totals.amountTotal, JSONText.encode(session.totals.lines.map(StoredCheckoutLine.init)),
            record.customer.map { JSONText.encode(CustomerObject($0)) },
            record.customerReference, record.purchaseReference, record.successURL, record.cancelURL, record.locale, record.userType,
            record.channel?.rawValue, record.country, JSONText.encode(record.metadata), session.expiresAt, session.completedAt,
            session.expiredAt, session.createdAt, session.updatedAt, record.idempotencyKey, record.theme.map(JSONText.encode),
            record.subscriptionID?.rawValue,
        ]
        try await tx.raw("INSERT INTO checkout_sessions (\(unsafeRaw: Self.columns)) VALUES (\(binds: values))").run()
    }

    func session(_ id: CheckoutSessionID, in scope: TenantScope, on db: any SQLDatabase) async throws -> CheckoutSessionRecord? {
        guard let row = try await db.raw(ScopedSelect.byID(id.rawValue, from: Self.table, columns: Self.columns, in: scope)).first()
        else { return nil }
        return try Self.record(row: row)
    }

    /// The session that owns this payment intent, if one does.
    func session(owning intentID: PaymentIntentID, in scope: TenantScope, on db: any SQLDatabase) async throws -> CheckoutSessionRecord? {
        guard let row = try await db.raw("""
            SELECT \(unsafeRaw: Self.columns) FROM checkout_sessions WHERE payment_intent_id = \(bind: intentID.rawValue) \
            AND merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode)
            """).first()
        else { return nil }
        return try Self.record(row: row)
    }

    /// The newest session that a request with this `Idempotency-Key` created since `since`.
    func session(createdByIdempotencyKey key: String, in scope: TenantScope, since: Date, on db: any SQLDatabase) async throws -> CheckoutSessionRecord? {
        let query = ScopedSelect.createdBy(idempotencyKey: key, from: Self.table, columns: Self.columns, in: scope, since: since)
        guard let row = try await db.raw(query).first() else { return nil }
        return try Self.record(row: row)
    }

    /// The session, locked until the transaction ends.
    func lock(_ id: CheckoutSessionID, in scope: TenantScope, on tx: any SQLDatabase) async throws -> CheckoutSessionRecord? {
        try await tx.lockForUpdate(Self.table, id: id.rawValue)
        return try await session(id, in: scope, on: tx)
    }

    /// One page of the scope's sessions, newest first.
    func sessions(
        in scope: TenantScope, status: CheckoutSessionStatus?, paymentIntent: String?, page: PageRequest, on db: any SQLDatabase
    ) async throws -> RecordPage<CheckoutSessionRecord> {
        var filters: [SQLQueryString] = []
        if let status { filters.append("status = \(bind: status.rawValue)") }
        if let paymentIntent { filters.append("payment_intent_id = \(bind: paymentIntent)") }
        let found = try await ScopedPage.rows(from: Self.table, columns: Self.columns, in: scope, filters: filters, page: page, on: db)
        return RecordPage(items: try found.rows.map(Self.record(row:)), hasMore: found.hasMore)
    }

    /// Saves what `CheckoutSessionMachine` changes.
    func saveState(_ record: CheckoutSessionRecord, on tx: any SQLDatabase) async throws {
        let session = record.session
        try await tx.raw("""
            UPDATE checkout_sessions SET status = \(bind: session.status.rawValue), completed_at = \(bind: session.completedAt), \
            expired_at = \(bind: session.expiredAt), updated_at = \(bind: session.updatedAt) \
            WHERE id = \(bind: session.id.rawValue) AND merchant_id = \(bind: record.scope.merchantID) \
            AND livemode = \(bind: record.scope.livemode)
            """).run()
    }

    /// The session, whoever's it is: for the expiry job, whose payload names the session only. The record carries
    /// its scope, which every later step uses.
    func session(_ id: CheckoutSessionID, for _: SystemScope, on db: any SQLDatabase) async throws -> CheckoutSessionRecord? {
        guard let row = try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM checkout_sessions WHERE id = \(bind: id.rawValue)").first()
        else { return nil }
        return try Self.record(row: row)
    }

    /// Each of a session's pages reads what it was created with: decoded once per stored text.
    private static let storedLines = DecodedJSONMemo<[StoredCheckoutLine]>()
    private static let storedCustomers = DecodedJSONMemo<CustomerObject>()
    private static let storedMetadata = DecodedJSONMemo<[String: String]>()
    private static let storedThemes = DecodedJSONMemo<CheckoutThemeChanges>()

    private static func record(row: any SQLRow) throws -> CheckoutSessionRecord {
        let stored = try StoredRow(table: table, id: try row.decode(column: "id", as: String.self))
        let currency: Currency
        do {
            currency = try Currency(code: try row.decode(column: "currency", as: String.self))
        } catch {
            throw stored.invalid("currency")
        }
        let lines = try stored.json(storedLines, try row.decode(column: "line_items", as: String.self), column: "line_items")
        let totals = CheckoutTotals(
            lines: lines.map(\.line),
            amountSubtotal: try row.decode(column: "amount_subtotal", as: Int64.self),
            amountTax: try row.decode(column: "amount_tax", as: Int64.self),
            amountTotal: try row.decode(column: "amount_total", as: Int64.self),
            currency: currency)
        var session = CheckoutSession(
            id: try stored.id(stored.id, column: "id"),
            paymentIntentID: try stored.id(try row.decode(column: "payment_intent_id", as: String.self), column: "payment_intent_id"),
            totals: totals,
            expiresAt: try row.decode(column: "expires_at", as: Date.self),
            createdAt: try row.decode(column: "created_at", as: Date.self))
        session.status = try stored.parse(try row.decode(column: "status", as: String.self), column: "status")
        session.completedAt = try row.optional("completed_at")
        session.expiredAt = try row.optional("expired_at")
        session.updatedAt = try row.decode(column: "updated_at", as: Date.self)
        let customer: CustomerObject? = try (try row.optional("customer", as: String.self)).map {
            try stored.json(storedCustomers, $0, column: "customer")
        }
        let channel: String? = try row.optional("channel")
        return CheckoutSessionRecord(
            session: session,
            scope: try TenantScope(row: row),
            customer: customer.map(\.details),
            customerReference: try row.optional("customer_reference"),
            purchaseReference: try row.optional("purchase_reference"),
            successURL: try row.optional("success_url"),
            cancelURL: try row.optional("cancel_url"),
            locale: try row.decode(column: "locale", as: String.self),
            userType: try row.optional("user_type"),
            channel: try channel.map { try stored.parse($0, column: "channel") },
            country: try row.optional("country"),
            metadata: try stored.json(storedMetadata, try row.decode(column: "metadata", as: String.self), column: "metadata"),
            idempotencyKey: try row.optional("idempotency_key"),
            theme: try (try row.optional("theme", as: String.self)).map { try stored.json(storedThemes, $0, column: "theme") },
            subscriptionID: try (try row.optional("subscription_id", as: String.self)).map { try stored.id($0, column: "subscription_id") })
    }
}

/// A line item as stored in `checkout_sessions.line_items` (and `payment_links.line_items`), with the amounts worked
/// out when it was created.
struct StoredCheckoutLine: Codable {
    var name: String
    var quantity: Int64
    var unitAmount: Int64
    var taxRate: Int64?
    var category: String?
    var amountSubtotal: Int64
    var amountTax: Int64
    var amountTotal: Int64

    enum CodingKeys: String, CodingKey {
        case name, quantity, category
        case unitAmount = "unit_amount"
        case taxRate = "tax_rate"
        case amountSubtotal = "amount_subtotal"
        case amountTax = "amount_tax"
        case amountTotal = "amount_total"
    }

    init(_ line: CheckoutLine) {
        name = line.item.name
        quantity = line.item.quantity
        unitAmount = line.item.unitAmount
        taxRate = line.item.taxRate
        category = line.item.category
        amountSubtotal = line.subtotal
        amountTax = line.tax
        amountTotal = line.total
    }

    var line: CheckoutLine {
        CheckoutLine(
            item: CheckoutLineItem(name: name, quantity: quantity, unitAmount: unitAmount, taxRate: taxRate, category: category),
            subtotal: amountSubtotal, tax: amountTax, total: amountTotal)
    }
}
