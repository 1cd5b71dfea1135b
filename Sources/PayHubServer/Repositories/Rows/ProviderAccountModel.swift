import Fluent
import Foundation
import PayHubCore

/// A row of `provider_accounts`; only `ProviderAccountRepository` reads and writes it (tests may look).
final class ProviderAccountModel: Model, @unchecked Sendable {
    static let schema = "provider_accounts"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "merchant_id") var merchantID: String
    @Field(key: "livemode") var livemode: Bool
    @Field(key: "provider") var provider: String
    @Field(key: "name") var name: String
    @Field(key: "credentials_sealed") var credentialsSealed: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "disabled_at") var disabledAt: Date?

    init() {}

    func record() throws -> ProviderAccountRecord {
        let row = try StoredRow(table: Self.schema, id: id)
        return ProviderAccountRecord(
            id: try row.id(row.id, column: "id"), scope: TenantScope(merchantID: merchantID, livemode: livemode),
            provider: provider, name: name, credentials: SealedCredentials(sealed: credentialsSealed), createdAt: createdAt,
            disabledAt: disabledAt)
    }
}
