import Fluent
import Foundation
import PayHubConnectors
import PayHubCore

/// A new merchant's keys, shown once.
public struct MerchantCredentials: Codable, Sendable {
    public var id: String
    public var name: String
    public var secretKeyTest: String
    public var publishableKeyTest: String
    public var secretKeyLive: String
    public var publishableKeyLive: String
    public var sandboxProviderAccount: String

    enum CodingKeys: String, CodingKey {
        case id, name
        case secretKeyTest = "secret_key_test"
        case publishableKeyTest = "publishable_key_test"
        case secretKeyLive = "secret_key_live"
        case publishableKeyLive = "publishable_key_live"
        case sandboxProviderAccount = "sandbox_provider_account"
    }
}

/// Creates merchants with their four keys and a sandbox provider account for test mode.
public struct MerchantService: Sendable {
    let context: PayHubContext
    let db: any Database
    private let merchants = MerchantRepository()

    public init(context: PayHubContext, db: any Database) {
        self.context = context
        self.db = db
    }

    public func create(name: String) async throws -> MerchantCredentials {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 200 else {
            throw ServiceError.invalid("name_invalid", "A merchant needs a name of 1 to 200 characters.", param: "name")
        }
        let now = context.clock.now()
        let merchant = MerchantRecord(id: context.ids.make(), name: trimmed, createdAt: now)
        let keys = (
            secretTest: "sk_test_" + context.ids.randomToken(length: 32),
            publishableTest: "pk_test_" + context.ids.randomToken(length: 32),
            secretLive: "sk_live_" + context.ids.randomToken(length: 32),
            publishableLive: "pk_live_" + context.ids.randomToken(length: 32)
        )
        let keyRecords = [
            (keys.secretTest, false, APIKeyRecord.Kind.secret), (keys.publishableTest, false, .publishable),
            (keys.secretLive, true, .secret), (keys.publishableLive, true, .publishable),
        ].map { key, livemode, kind in
            APIKeyRecord(
                id: context.ids.make(), scope: TenantScope(merchantID: merchant.id.rawValue, livemode: livemode), kind: kind,
                digest: KeyDigest.hex(key), redacted: String(key.prefix(8)) + "..." + String(key.suffix(4)),
                rateLimitPerSecond: nil, createdAt: now, revokedAt: nil)
        }
        let sandboxAccountID: ProviderAccountID = context.ids.make()
        let sandboxCredentials = try context.secrets.seal(JSONText.encode([
            "webhook_secret": "whsec_" + context.ids.randomToken(length: 32)
        ]))
        let merchants = self.merchants
        try await context.transactor.writeSQL(on: db) { tx in
            try await merchants.insert(merchant, keys: keyRecords, on: tx)
            try await ProviderAccountRepository().insert(ProviderAccountRecord(
                id: sandboxAccountID, scope: TenantScope(merchantID: merchant.id.rawValue, livemode: false), provider: SandboxConnector.name,
                name: "Sandbox", credentials: SealedCredentials(sealed: sandboxCredentials), createdAt: now, disabledAt: nil
            ), on: tx)
        }
        return MerchantCredentials(
            id: merchant.id.rawValue, name: trimmed, secretKeyTest: keys.secretTest, publishableKeyTest: keys.publishableTest,
            secretKeyLive: keys.secretLive, publishableKeyLive: keys.publishableLive, sandboxProviderAccount: sandboxAccountID.rawValue)
    }

    /// Whether a merchant with this id exists.
    public func exists(_ merchantID: String) async throws -> Bool {
        guard let id = MerchantID(validating: merchantID) else { return false }
        return try await merchants.find(id, on: context.transactor.reader(db)) != nil
    }
}
