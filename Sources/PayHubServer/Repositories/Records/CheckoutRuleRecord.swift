import Foundation
import PayHubCore

/// A merchant's checkout rule as stored: the typed rule, and the versions of the rule set that added and removed it.
struct CheckoutRuleRecord: Sendable, Equatable {
    var rule: CheckoutRule
    var scope: TenantScope
    /// The rule set's version that this rule's creation made.
    var createdVersion: Int
    var deletedVersion: Int?
    var createdAt: Date
    var deletedAt: Date?
    /// The `Idempotency-Key` of the request that created it, so that a retry after a crash finds it.
    var idempotencyKey: String?

    var id: CheckoutRuleID { rule.id }
}
