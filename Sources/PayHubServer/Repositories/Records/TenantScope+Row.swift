import PayHubCore
import SQLKit

extension TenantScope {
    /// The scope a row belongs to, from its `merchant_id` and `livemode`.
    init(row: any SQLRow) throws {
        self.init(
            merchantID: try MerchantID(parsing: try row.decode(column: "merchant_id", as: String.self)).rawValue,
            livemode: try row.decode(column: "livemode", as: Bool.self))
    }
}
