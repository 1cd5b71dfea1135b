import Fluent
import SQLKit

/// Invoices and credit notes (one table, `kind` tells them apart), finalised when inserted: the number, the
/// document as issued (`document`, JSON, what every rendering reads) and the columns the list filters on. One per
/// payment intent or refund (`source_id`). The number counters, one row per merchant, mode, kind and year, locked
/// by the transaction that gives the next number. The rendered documents, one per invoice and format.
struct M131_CreateInvoices: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema("invoices")
            .field("id", .string, .identifier(auto: false))
            .field("merchant_id", .string, .required, .references("merchants", "id"))
            .field("livemode", .bool, .required)
            .field("kind", .string, .required)
            .field("status", .string, .required)
            .field("number", .string, .required)
            .field("year", .int64, .required)
            .field("sequence", .int64, .required)
            .field("issue_date", .string, .required)
            .field("source_id", .string, .required)
            .field("payment_intent_id", .string, .required)
            .field("refund_id", .string)
            .field("credited_invoice_id", .string)
            .field("customer_email", .string)
            .field("currency", .string, .required)
            .field("amount_total", .int64, .required)
            .field("document", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "merchant_id", "livemode", "kind", "number")
            .unique(on: "source_id")
            .create()
        try await database.schema("invoice_number_counters")
            .field("merchant_id", .string, .required, .references("merchants", "id"))
            .field("livemode", .bool, .required)
            .field("kind", .string, .required)
            .field("year", .int64, .required)
            .field("last_sequence", .int64, .required)
            .unique(on: "merchant_id", "livemode", "kind", "year")
            .create()
        try await database.schema("invoice_documents")
            .field("id", .string, .identifier(auto: false))
            .field("merchant_id", .string, .required, .references("merchants", "id"))
            .field("livemode", .bool, .required)
            .field("invoice_id", .string, .required, .references("invoices", "id"))
            .field("format", .string, .required)
            .field("sha256", .string, .required)
            .field("bytes", .data, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "invoice_id", "format")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "invoices_merchant_created")
            .on("invoices").column("merchant_id").column("livemode").column("created_at").run()
        try await sql.create(index: "invoices_payment_intent").on("invoices").column("payment_intent_id").run()
    }

    func revert(on database: Database) async throws {
        try await database.schema("invoice_documents").delete()
        try await database.schema("invoice_number_counters").delete()
        try await database.schema("invoices").delete()
    }
}
