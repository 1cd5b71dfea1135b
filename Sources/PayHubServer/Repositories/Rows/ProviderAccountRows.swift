import Foundation
import SQLKit

/// Provider account rows in plain SQL, for `ProviderAccountRepository`.
extension ProviderAccountModel {
    static let columns = "id, merchant_id, livemode, provider, name, credentials_sealed, created_at, disabled_at"

    convenience init(row: any SQLRow) throws {
        self.init()
        id = try row.decode(column: "id", as: String.self)
        merchantID = try row.decode(column: "merchant_id", as: String.self)
        livemode = try row.decode(column: "livemode", as: Bool.self)
        provider = try row.decode(column: "provider", as: String.self)
        name = try row.decode(column: "name", as: String.self)
        credentialsSealed = try row.decode(column: "credentials_sealed", as: String.self)
        createdAt = try row.decode(column: "created_at", as: Date.self)
        disabledAt = try row.optional("disabled_at")
    }
}
