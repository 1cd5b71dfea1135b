import Foundation
import PayHubConnectors
import PayHubCore

/// A checkout session as stored: the state `CheckoutSessionMachine` changes, whose it is, and what the shop said
/// of its customer, its pages and its rules.
struct CheckoutSessionRecord: Sendable, Equatable {
    var session: CheckoutSession
    let scope: TenantScope
    var customer: CustomerDetails?
    var customerReference: String?
    var purchaseReference: String?
    var successURL: String?
    var cancelURL: String?
    /// A language tag, or `auto` (the customer's browser decides).
    var locale: String
    var userType: String?
    var channel: CheckoutChannel?
    /// ISO 3166 alpha-2.
    var country: String?
    var metadata: [String: String]
    /// The `Idempotency-Key` of the request that created it, if any.
    var idempotencyKey: String?
    /// What this session changes in the merchant's theme.
    var theme: CheckoutThemeChanges? = nil
    /// The subscription whose payment (its first, or a renewal's recovery) this session takes: the session's mode
    /// is then `subscription`, and the provider saves the method for the renewals.
    var subscriptionID: SubscriptionID? = nil

    var id: CheckoutSessionID { session.id }
}
