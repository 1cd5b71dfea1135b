/// A checkout rule as the API receives it and the database stores it: names and values not yet typed.
/// `CheckoutRuleParser` turns it into a `CheckoutRule`; `CheckoutRule.input` gives it back, normalised.
public struct CheckoutRuleInput: Sendable, Hashable, Codable {
    public var priority: Int
    public var conditions: [RuleConditionInput]
    public var methods: [RuleMethodInput]

    public init(priority: Int, conditions: [RuleConditionInput], methods: [RuleMethodInput]) {
        self.priority = priority
        self.conditions = conditions
        self.methods = methods
    }
}

public struct RuleConditionInput: Sendable, Hashable, Codable {
    public var key: String
    public var `operator`: String
    public var value: RuleValue
    /// Amount conditions only: the condition compares only sessions in this currency.
    public var currency: String?

    public init(key: String, operator: String, value: RuleValue, currency: String? = nil) {
        self.key = key
        self.operator = `operator`
        self.value = value
        self.currency = currency
    }
}

public struct RuleMethodInput: Sendable, Hashable, Codable {
    public var paymentMethod: String
    public var provider: String?

    public init(paymentMethod: String, provider: String? = nil) {
        self.paymentMethod = paymentMethod
        self.provider = provider
    }

    enum CodingKeys: String, CodingKey {
        case paymentMethod = "payment_method"
        case provider
    }
}
