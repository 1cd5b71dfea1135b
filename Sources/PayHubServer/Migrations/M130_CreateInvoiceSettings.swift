import Fluent

/// Invoice settings, one row per merchant and mode: the seller's legal data, numbering, VAT and language as one
/// JSON document (`StoredInvoiceSettings`), and the logo's bytes.
struct M130_CreateInvoiceSettings: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema("invoice_settings")
            .field("merchant_id", .string, .required, .references("merchants", "id"))
            .field("livemode", .bool, .required)
            .field("settings", .string, .required)
            .field("logo", .data)
            .field("logo_media_type", .string)
            .field("updated_at", .datetime, .required)
            .unique(on: "merchant_id", "livemode")
            .create()
    }

    func revert(on database: Database) async throws {
        try await database.schema("invoice_settings").delete()
    }
}
