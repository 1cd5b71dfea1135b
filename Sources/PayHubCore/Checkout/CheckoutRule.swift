/// A payment method family a checkout can offer: `card`, `wallet`, `mobile_money`, `bank_redirect`, ...
public struct PaymentMethodType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String

    /// Lower-case letters, digits and `_`, 1 to 40 characters.
    public init?(rawValue: String) {
        guard CheckoutName.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    public var description: String { rawValue }
}

/// A method a rule shows, optionally through one provider only.
public struct RuleMethod: Sendable, Hashable {
    public var paymentMethod: PaymentMethodType
    /// A provider's name (`sandbox`, `stripe`); nil means any provider that offers the method.
    public var provider: String?

    public init(paymentMethod: PaymentMethodType, provider: String? = nil) {
        self.paymentMethod = paymentMethod
        self.provider = provider
    }
}

/// Which methods a checkout shows when all of the conditions hold. A rule without conditions is the default:
/// it applies when no other rule does.
public struct CheckoutRule: Sendable, Hashable {
    public var id: CheckoutRuleID
    /// Higher wins.
    public var priority: Int
    public var conditions: [RuleCondition]
    public var methods: [RuleMethod]

    public init(id: CheckoutRuleID, priority: Int, conditions: [RuleCondition], methods: [RuleMethod]) {
        self.id = id
        self.priority = priority
        self.conditions = conditions
        self.methods = methods
    }

    public var isDefault: Bool { conditions.isEmpty }

    public func applies(to session: CheckoutAttributes) -> Bool {
        conditions.allSatisfy { $0.holds(for: session) }
    }
}

/// Names the rules use for method families and providers.
enum CheckoutName {
    static func isValid(_ name: String) -> Bool {
        let bytes = name.utf8
        return !bytes.isEmpty && bytes.count <= 40
            && bytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }
}
