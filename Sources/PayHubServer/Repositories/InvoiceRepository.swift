import Foundation
import PayHubCore
import SQLKit

/// Invoices and credit notes, their number counters and their rendered documents: the only code on `invoices`,
/// `invoice_number_counters` and `invoice_documents`. There is no update of an invoice: it is inserted finalised,
/// and a rendered document is inserted once (a second rendering of the same invoice and format is dropped).
struct InvoiceRepository: Sendable {
    static let table = "invoices"
    private static let columns = """
        id, merchant_id, livemode, kind, status, number, sequence, payment_intent_id, refund_id, credited_invoice_id, \
        customer_email, document, created_at
        """

    /// Inside the finalising transaction, first: locks the counter of this kind and year (creating it at 0), so
    /// concurrent finalisations take turns from here to their commit (PostgreSQL: `FOR UPDATE`; SQLite: its one
    /// writer). Whatever the transaction reads after it (is this intent invoiced already?) is what the one before
    /// it committed.
    func lockCounter(_ kind: InvoiceDocument.Kind, year: Int, in scope: TenantScope, on tx: any SQLDatabase) async throws {
        try await tx.raw("""
            INSERT INTO invoice_number_counters (merchant_id, livemode, kind, year, last_sequence) \
            VALUES (\(bind: scope.merchantID), \(bind: scope.livemode), \(bind: kind.rawValue), \(bind: year), 0) \
            ON CONFLICT (merchant_id, livemode, kind, year) DO NOTHING
            """).run()
        let lock = tx.dialect.name == "postgresql" ? " FOR UPDATE" : ""
        try await tx.raw("""
            SELECT last_sequence FROM invoice_number_counters WHERE merchant_id = \(bind: scope.merchantID) \
            AND livemode = \(bind: scope.livemode) AND kind = \(bind: kind.rawValue) AND year = \(bind: year)\(unsafeRaw: lock)
            """).run()
    }

    /// Inside the finalising transaction, after `lockCounter`: the next number of this kind and year, counted from
    /// 1. A transaction that rolls back gives its number back: no gaps, no duplicates.
    func nextSequence(_ kind: InvoiceDocument.Kind, year: Int, in scope: TenantScope, on tx: any SQLDatabase) async throws -> Int64 {
        guard let row = try await tx.raw("""
            UPDATE invoice_number_counters SET last_sequence = last_sequence + 1 \
            WHERE merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode) \
            AND kind = \(bind: kind.rawValue) AND year = \(bind: year) RETURNING last_sequence
            """).first()
        else { throw StoredValueInvalid(table: "invoice_number_counters", column: "last_sequence", id: scope.merchantID) }
        return try row.decode(column: "last_sequence", as: Int64.self)
    }

    func insert(_ record: InvoiceRecord, on tx: any SQLDatabase) async throws {
        let document = record.document
        let values: [any Encodable & Sendable] = [
            record.id, record.scope.merchantID, record.scope.livemode, document.kind.rawValue, record.status.rawValue, document.number,
            document.issueDate.year, record.sequence, document.issueDate.description, record.sourceID, record.paymentIntentID.rawValue,
            record.refundID?.rawValue, record.creditedInvoiceID?.rawValue, record.customerEmail, document.amounts.currency.code,
            document.amounts.gross, JSONText.encode(InvoiceSnapshot(document)), record.createdAt,
        ]
        try await tx.raw("""
            INSERT INTO invoices (id, merchant_id, livemode, kind, status, number, year, sequence, issue_date, source_id, \
            payment_intent_id, refund_id, credited_invoice_id, customer_email, currency, amount_total, document, created_at) \
            VALUES (\(binds: values))
            """).run()
    }

    func invoice(_ id: String, in scope: TenantScope, on db: any SQLDatabase) async throws -> InvoiceRecord? {
        guard let row = try await db.raw(ScopedSelect.byID(id, from: Self.table, columns: Self.columns, in: scope)).first() else { return nil }
        return try Self.record(row: row)
    }

    /// The invoice (or credit note) of a payment intent (or refund), if it was issued.
    func invoice(documenting sourceID: String, in scope: TenantScope, on db: any SQLDatabase) async throws -> InvoiceRecord? {
        guard let row = try await db.raw("""
            SELECT \(unsafeRaw: Self.columns) FROM invoices WHERE source_id = \(bind: sourceID) \
            AND merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode)
            """).first()
        else { return nil }
        return try Self.record(row: row)
    }

    /// One page of a kind, newest first.
    func invoices(
        _ kind: InvoiceDocument.Kind, matching filter: InvoiceFilter, in scope: TenantScope, page: PageRequest, on db: any SQLDatabase
    ) async throws -> RecordPage<InvoiceRecord> {
        let (rows, hasMore) = try await ScopedPage.rows(
            from: Self.table, columns: Self.columns, in: scope, filters: Self.conditions(kind, filter), page: page, on: db)
        return RecordPage(items: try rows.map(Self.record(row:)), hasMore: hasMore)
    }

    /// The ids of a kind matching `filter`, oldest first, `limit` at a time after `cursor` (a `(created_at, id)`
    /// keyset): how an archive walks any number of invoices without holding them.
    func ids(
        _ kind: InvoiceDocument.Kind, matching filter: InvoiceFilter, in scope: TenantScope, after cursor: (Date, String)?, limit: Int,
        on db: any SQLDatabase
    ) async throws -> [(id: String, createdAt: Date)] {
        var conditions = Self.conditions(kind, filter)
        conditions.insert("merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode)", at: 0)
        if let created = filter.createdFrom { conditions.append("created_at >= \(bind: created)") }
        if let created = filter.createdTo { conditions.append("created_at <= \(bind: created)") }
        if let cursor {
            conditions.append("(created_at > \(bind: cursor.0) OR (created_at = \(bind: cursor.0) AND id > \(bind: cursor.1)))")
        }
        let rows = try await db.raw("""
            SELECT id, created_at FROM invoices WHERE \(Self.joined(conditions)) ORDER BY created_at, id LIMIT \(bind: limit)
            """).all()
        return try rows.map { (try $0.decode(column: "id", as: String.self), try $0.decode(column: "created_at", as: Date.self)) }
    }

    // MARK: - Rendered documents

    func file(of invoiceID: String, format: String, in scope: TenantScope, on db: any SQLDatabase) async throws -> InvoiceFileRecord? {
        guard let row = try await db.raw("""
            SELECT id, invoice_id, format, sha256, bytes FROM invoice_documents WHERE invoice_id = \(bind: invoiceID) \
            AND format = \(bind: format) AND merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode)
            """).first()
        else { return nil }
        return InvoiceFileRecord(
            id: try DocumentID(parsing: try row.decode(column: "id", as: String.self)),
            invoiceID: try row.decode(column: "invoice_id", as: String.self), format: try row.decode(column: "format", as: String.self),
            sha256: try row.decode(column: "sha256", as: String.self), bytes: Array(try row.decode(column: "bytes", as: Data.self)))
    }

    /// Stores a rendering unless one of this invoice and format exists (a render that ran twice keeps the first).
    func insertFile(_ file: InvoiceFileRecord, in scope: TenantScope, at now: Date, on tx: any SQLDatabase) async throws {
        try await tx.raw("""
            INSERT INTO invoice_documents (id, merchant_id, livemode, invoice_id, format, sha256, bytes, created_at) \
            VALUES (\(bind: file.id.rawValue), \(bind: scope.merchantID), \(bind: scope.livemode), \(bind: file.invoiceID), \
            \(bind: file.format), \(bind: file.sha256), \(bind: Data(file.bytes)), \(bind: now)) \
            ON CONFLICT (invoice_id, format) DO NOTHING
            """).run()
    }

    // MARK: - Rows

    private static func conditions(_ kind: InvoiceDocument.Kind, _ filter: InvoiceFilter) -> [SQLQueryString] {
        var conditions: [SQLQueryString] = ["kind = \(bind: kind.rawValue)"]
        if let intent = filter.paymentIntent { conditions.append("payment_intent_id = \(bind: intent)") }
        if let email = filter.customerEmail { conditions.append("customer_email = \(bind: email)") }
        if let number = filter.number { conditions.append("number = \(bind: number)") }
        if let from = filter.issueDateFrom { conditions.append("issue_date >= \(bind: from.description)") }
        if let to = filter.issueDateTo { conditions.append("issue_date <= \(bind: to.description)") }
        return conditions
    }

    private static func joined(_ conditions: [SQLQueryString]) -> SQLQueryString {
        var clause = SQLQueryString("")
        for (index, condition) in conditions.enumerated() { clause = index == 0 ? condition : "\(clause) AND \(condition)" }
        return clause
    }

    private static func record(row: any SQLRow) throws -> InvoiceRecord {
        let id = try row.decode(column: "id", as: String.self)
        let kind = try row.decode(column: "kind", as: String.self)
        guard let snapshot = JSONText.decode(InvoiceSnapshot.self, from: try row.decode(column: "document", as: String.self)),
              let document = snapshot.document(), document.kind.rawValue == kind
        else { throw StoredValueInvalid(table: "invoices", column: "document", id: id) }
        switch document.kind {
        case .invoice: _ = try InvoiceID(parsing: id)
        case .creditNote: _ = try CreditNoteID(parsing: id)
        }
        let refund = try row.decode(column: "refund_id", as: String?.self)
        let credited = try row.decode(column: "credited_invoice_id", as: String?.self)
        var refundID: RefundID?
        if let refund { refundID = try RefundID(parsing: refund) }
        var creditedID: InvoiceID?
        if let credited { creditedID = try InvoiceID(parsing: credited) }
        return InvoiceRecord(
            id: id, scope: try TenantScope(row: row),
            status: try StoredValueInvalid.parse(try row.decode(column: "status", as: String.self), as: InvoiceStatus.self, table: "invoices", column: "status", id: id),
            sequence: try row.decode(column: "sequence", as: Int64.self),
            paymentIntentID: try PaymentIntentID(parsing: try row.decode(column: "payment_intent_id", as: String.self)),
            refundID: refundID, creditedInvoiceID: creditedID, customerEmail: try row.decode(column: "customer_email", as: String?.self),
            document: document, createdAt: try row.decode(column: "created_at", as: Date.self))
    }
}

/// What the invoice lists and archives filter on; nil matches everything.
struct InvoiceFilter: Sendable, Equatable {
    var paymentIntent: String?
    var customerEmail: String?
    var number: String?
    var issueDateFrom: CalendarDate?
    var issueDateTo: CalendarDate?
    var createdFrom: Date?
    var createdTo: Date?
}
