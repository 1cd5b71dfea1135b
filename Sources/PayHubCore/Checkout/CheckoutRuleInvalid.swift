/// Why a checkout rule is refused, naming the field in the request (`conditions.0.value`, `methods.1.provider`).
public struct CheckoutRuleInvalid: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable {
        case keyUnknown = "rule_key_unknown"
        case operatorUnknown = "rule_operator_unknown"
        /// An operator the key does not take (`greater_than` on `country`).
        case operatorNotForKey = "rule_operator_invalid"
        /// A value of the wrong type or shape for the key and operator.
        case valueInvalid = "rule_value_invalid"
        case listEmpty = "rule_value_empty"
        case currencyInvalid = "rule_currency_invalid"
        case priorityInvalid = "rule_priority_invalid"
        case priorityTaken = "rule_priority_taken"
        case defaultRuleExists = "rule_default_exists"
        case tooMany = "rule_too_large"
        case methodInvalid = "rule_method_invalid"
        case methodUnavailable = "rule_method_unavailable"
    }

    public var reason: Reason
    public var field: String
    public var message: String

    public init(_ reason: Reason, field: String, _ message: String) {
        self.reason = reason
        self.field = field
        self.message = message
    }

    public var code: String { reason.rawValue }
    public var description: String { "\(code) at \(field): \(message)" }
}
