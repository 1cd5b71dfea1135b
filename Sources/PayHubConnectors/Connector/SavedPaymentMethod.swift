import PayHubCore

/// A payment method the provider keeps for later payments without the customer (off-session): a renewal.
/// PayHub stores only the provider's references, never card data.
public struct SavedPaymentMethod: Sendable, Equatable, Codable {
    /// The provider's customer the method is attached to (Stripe `cus_…`); nil where the provider has none.
    public var customerReference: String?
    /// The provider's id of the method (Stripe `pm_…`, the sandbox's `spm_…`).
    public var methodReference: String
    /// PayHub's method type: `card`, `mobile_money`, ...
    public var type: String
    /// What a customer recognises, e.g. `visa •••• 4242`; nil when the provider does not say.
    public var display: String?

    public init(customerReference: String?, methodReference: String, type: String, display: String? = nil) {
        self.customerReference = customerReference
        self.methodReference = methodReference
        self.type = type
        self.display = display
    }
}
