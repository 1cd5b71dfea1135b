/// A read or write that PayHub makes for itself rather than for one tenant. The few repository methods that cross
/// tenants take one instead of a `TenantScope`, so each such query says who needs it and why it may.
enum SystemScope: Sendable {
    /// Authenticating a credential: the key found decides the tenant.
    case authentication
    /// The webhook delivery worker, which serves every tenant's deliveries.
    case deliveryWorker
    /// Housekeeping jobs.
    case janitor
    /// The checkout session expiry job, which knows a session by id only.
    case checkoutExpiry
    /// The hosted checkout, whose URL names the session only: the session found decides the tenant.
    case checkoutPage
    /// The notification send job, which knows a notification by id only.
    case notificationSender
    /// A payment link's page (its unguessable id is the customer's key) and its expiry and reminder jobs.
    case paymentLink
    /// An SMS gateway's delivery report, which names the message by the gateway's id only.
    case smsDeliveryReport
    /// A CORS preflight, which carries no credential: is the origin allowed by any merchant?
    case corsPreflight
    /// The subscription renewal job, which knows a subscription by id only.
    case subscriptionRenewal
}
