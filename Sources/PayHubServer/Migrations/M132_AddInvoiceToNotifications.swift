import Fluent

/// The invoice an `invoice` email attaches, read when it is sent.
struct M132_AddInvoiceToNotifications: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema("notifications").field("invoice_id", .string).update()
    }

    func revert(on database: Database) async throws {
        try await database.schema("notifications").deleteField("invoice_id").update()
    }
}
