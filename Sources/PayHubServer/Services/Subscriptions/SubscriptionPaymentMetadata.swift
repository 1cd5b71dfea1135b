import Foundation
import PayHubConnectors
import PayHubCore

/// What a subscription's payment intent carries in its metadata, beside the merchant's own keys: the subscription
/// and the period it pays (the invoices read these), and for a renewal the saved method's provider references
/// (never card data) it is charged with off-session. `ProviderRequests` reads them, so a retry rebuilds the
/// same request.
struct SubscriptionPaymentMetadata: Equatable, Sendable {
    static let subscriptionKey = "subscription"
    static let periodKey = "subscription_period"
    static let methodKey = "subscription_method"
    static let methodTypeKey = "subscription_method_type"
    static let methodCustomerKey = "subscription_method_customer"

    var subscriptionID: SubscriptionID
    var period: Int
    /// Set on a renewal charged off-session.
    var offSessionMethod: SavedPaymentMethod?

    init(subscriptionID: SubscriptionID, period: Int, offSessionMethod: SavedPaymentMethod? = nil) {
        self.subscriptionID = subscriptionID
        self.period = period
        self.offSessionMethod = offSessionMethod
    }

    init?(_ metadata: [String: String]) {
        guard let raw = metadata[Self.subscriptionKey], let id = SubscriptionID(validating: raw),
              let period = metadata[Self.periodKey].flatMap(Int.init), period >= 1 else { return nil }
        self.subscriptionID = id
        self.period = period
        if let method = metadata[Self.methodKey], let type = metadata[Self.methodTypeKey] {
            offSessionMethod = SavedPaymentMethod(customerReference: metadata[Self.methodCustomerKey], methodReference: method, type: type)
        }
    }

    var entries: [String: String] {
        var entries = [Self.subscriptionKey: subscriptionID.rawValue, Self.periodKey: String(period)]
        if let offSessionMethod {
            entries[Self.methodKey] = offSessionMethod.methodReference
            entries[Self.methodTypeKey] = offSessionMethod.type
            entries[Self.methodCustomerKey] = offSessionMethod.customerReference
        }
        return entries
    }

    /// The provider idempotency key of an off-session try: derived from the subscription, the period and the try
    /// (0 the renewal, n the n-th dunning retry), so a retry after a crash is the same payment to the provider.
    static func renewalKey(_ id: SubscriptionID, period: Int, try number: Int) -> String {
        "subscription_renewal_\(id.rawValue)_\(period)_\(number)"
    }

    /// The saved method an attempt charges off-session: only an attempt started by the renewal job (its key names
    /// this subscription and period); the customer's own attempts on the intent are on-session.
    func offSessionMethod(forAttemptKey key: String?) -> SavedPaymentMethod? {
        Self.tryNumber(of: key, subscriptionID, period: period) != nil ? offSessionMethod : nil
    }

    /// The try a renewal key names, if it is one for this subscription and period.
    static func tryNumber(of key: String?, _ id: SubscriptionID, period: Int) -> Int? {
        let prefix = "subscription_renewal_\(id.rawValue)_\(period)_"
        guard let key, key.hasPrefix(prefix) else { return nil }
        return Int(key.dropFirst(prefix.count))
    }
}
