import Fluent

/// One row per merchant and mode numbering the changes to what its checkout pages share (theme, rules, provider
/// accounts, checkout settings): each change bumps it in its own transaction, so a process that caches them knows
/// with one look-up whether its copy is current.
struct M160_CreateCheckoutConfigurationVersions: AsyncMigration {
    func prepare(on database: Database) async throws {
        try await database.schema("checkout_configuration_versions")
            .field("merchant_id", .string, .required, .references("merchants", "id"))
            .field("livemode", .bool, .required)
            .field("version", .int64, .required)
            .compositeIdentifier(over: "merchant_id", "livemode")
            .create()
    }

    func revert(on database: Database) async throws {
        try await database.schema("checkout_configuration_versions").delete()
    }
}
