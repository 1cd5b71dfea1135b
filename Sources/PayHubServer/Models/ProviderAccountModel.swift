import Fluent
import Foundation

/// A merchant's account with a provider. Credentials are sealed with AES-GCM under the master key.
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

    init(id: String, merchantID: String, livemode: Bool, provider: String, name: String, credentialsSealed: String, createdAt: Date) {
        self.id = id
        self.merchantID = merchantID
        self.livemode = livemode
        self.provider = provider
        self.name = name
        self.credentialsSealed = credentialsSealed
        self.createdAt = createdAt
    }
}
