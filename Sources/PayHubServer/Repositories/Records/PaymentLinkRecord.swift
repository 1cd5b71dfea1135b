import Foundation
import PayHubConnectors
import PayHubCore

/// A payment link as stored: the state `PaymentLinkMachine` changes, whose it is, the order it opens sessions
/// for, and what PayHub knows of its delivery.
struct PaymentLinkRecord: Sendable, Equatable {
    var link: PaymentLink
    let scope: TenantScope
    var totals: CheckoutTotals
    var description: String?
    var customer: CustomerDetails?
    var successURL: String?
    var userType: String?
    var channel: CheckoutChannel
    /// ISO 3166 alpha-2.
    var country: String?
    var metadata: [String: String]
    /// The shop's session this link was made for (the customer asked for it on the checkout page), if any.
    var checkoutSessionID: CheckoutSessionID?
    /// A single-use link's one session while it may be paid (a new one replaces it once it has expired).
    var currentSessionID: CheckoutSessionID?
    /// How PayHub last sent it.
    var sentVia: PaymentLinkChannel?
    var sentAt: Date?
    /// When the gateway reported the last sending delivered (SMS gateways that report it).
    var deliveredAt: Date?
    var reminderSentAt: Date?
    /// The `Idempotency-Key` of the request that created it, if any.
    var idempotencyKey: String?

    var id: PaymentLinkID { link.id }
}
