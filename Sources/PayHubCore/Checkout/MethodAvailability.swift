/// A method that one of the merchant's provider accounts offers, and for which currencies and amounts.
public struct MethodCapability: Sendable, Hashable {
    public var paymentMethod: PaymentMethodType
    public var provider: String
    /// Nil means any currency.
    public var currencies: Set<Currency>?
    /// In minor units; nil means any amount.
    public var amounts: ClosedRange<Int64>?

    public init(paymentMethod: PaymentMethodType, provider: String, currencies: Set<Currency>? = nil, amounts: ClosedRange<Int64>? = nil) {
        self.paymentMethod = paymentMethod
        self.provider = provider
        self.currencies = currencies
        self.amounts = amounts
    }

    public func accepts(_ session: CheckoutAttributes) -> Bool {
        (currencies?.contains(session.currency) ?? true) && (amounts?.contains(session.amount) ?? true)
    }

    func offers(_ method: RuleMethod) -> Bool {
        paymentMethod == method.paymentMethod && (method.provider == nil || method.provider == provider)
    }
}

/// Which of a rule's methods can actually be offered: the filter after the rule engine.
public enum MethodAvailability {
    /// The methods that some capability offers for the session's currency and amount, in the rule's order.
    public static func offered(_ methods: [RuleMethod], by capabilities: [MethodCapability], for session: CheckoutAttributes) -> [RuleMethod] {
        methods.filter { method in capabilities.contains { $0.offers(method) && $0.accepts(session) } }
    }

    /// Every method family offered for the session, once each, in the order of the capabilities.
    public static func everyOffered(by capabilities: [MethodCapability], for session: CheckoutAttributes) -> [RuleMethod] {
        var seen = Set<PaymentMethodType>()
        return capabilities.compactMap { capability in
            guard capability.accepts(session), seen.insert(capability.paymentMethod).inserted else { return nil }
            return RuleMethod(paymentMethod: capability.paymentMethod)
        }
    }

    /// The first of the methods that no capability offers at all, whatever the currency or amount.
    public static func firstUnoffered(_ methods: [RuleMethod], by capabilities: [MethodCapability]) -> Int? {
        methods.firstIndex { method in !capabilities.contains { $0.offers(method) } }
    }

    /// The refusal of a rule whose method at `index` no account offers.
    public static func unofferedError(_ methods: [RuleMethod], at index: Int) -> CheckoutRuleInvalid {
        let method = methods[index]
        let through = method.provider.map { " through provider '\($0)'" } ?? ""
        return CheckoutRuleInvalid(
            .methodUnavailable, field: "methods.\(index).\(method.provider == nil ? "payment_method" : "provider")",
            "No enabled provider account offers '\(method.paymentMethod)'\(through).")
    }
}
