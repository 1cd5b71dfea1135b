/// Turns a rule as written (`CheckoutRuleInput`) into a typed `CheckoutRule`, or says which field is wrong.
/// Names of keys and operators are read here only; the engine sees typed conditions.
public enum CheckoutRuleParser {
    public static let maxConditions = 20
    public static let maxMethods = 20
    public static let maxListValues = 100
    public static let maxTextLength = 500
    public static let priorities = 0...1_000_000

    public static func rule(id: CheckoutRuleID, _ input: CheckoutRuleInput) throws(CheckoutRuleInvalid) -> CheckoutRule {
        guard priorities.contains(input.priority) else {
            throw CheckoutRuleInvalid(.priorityInvalid, field: "priority", "priority must be between 0 and \(priorities.upperBound).")
        }
        guard input.conditions.count <= maxConditions else {
            throw CheckoutRuleInvalid(.tooMany, field: "conditions", "A rule can have at most \(maxConditions) conditions.")
        }
        guard (1...maxMethods).contains(input.methods.count) else {
            throw CheckoutRuleInvalid(.tooMany, field: "methods", "A rule shows 1 to \(maxMethods) methods.")
        }
        var conditions: [RuleCondition] = []
        for (index, condition) in input.conditions.enumerated() {
            conditions.append(try self.condition(condition, field: "conditions.\(index)"))
        }
        var methods: [RuleMethod] = []
        for (index, method) in input.methods.enumerated() {
            let parsed = try self.method(method, field: "methods.\(index)")
            guard !methods.contains(parsed) else {
                throw CheckoutRuleInvalid(.methodInvalid, field: "methods.\(index)", "methods.\(index) repeats an earlier method.")
            }
            methods.append(parsed)
        }
        return CheckoutRule(id: id, priority: input.priority, conditions: conditions, methods: methods)
    }

    static func method(_ input: RuleMethodInput, field: String) throws(CheckoutRuleInvalid) -> RuleMethod {
        guard let type = PaymentMethodType(rawValue: input.paymentMethod) else {
            throw CheckoutRuleInvalid(
                .methodInvalid, field: "\(field).payment_method", "\(field).payment_method must be a method family such as 'card' or 'wallet'.")
        }
        if let provider = input.provider, !CheckoutName.isValid(provider) {
            throw CheckoutRuleInvalid(.methodInvalid, field: "\(field).provider", "\(field).provider must be a provider's name such as 'sandbox'.")
        }
        return RuleMethod(paymentMethod: type, provider: input.provider)
    }

    static func condition(_ input: RuleConditionInput, field: String) throws(CheckoutRuleInvalid) -> RuleCondition {
        guard let key = RuleKey(rawValue: input.key) else {
            throw CheckoutRuleInvalid(
                .keyUnknown, field: "\(field).key",
                "Unknown key '\(input.key)': use amount, currency, user_type, product_category, channel, country or metadata.<name>.")
        }
        guard let op = RuleOperator(rawValue: input.operator) else {
            throw CheckoutRuleInvalid(
                .operatorUnknown, field: "\(field).operator",
                "Unknown operator '\(input.operator)': use one of \(RuleOperator.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        if input.currency != nil, key != .amount {
            throw CheckoutRuleInvalid(.currencyInvalid, field: "\(field).currency", "Only amount conditions take a currency.")
        }
        if op.orders, key != .amount {
            throw CheckoutRuleInvalid(
                .operatorNotForKey, field: "\(field).operator",
                "'\(op.rawValue)' compares amounts only; \(key.rawValue) takes equals, not_equals, in or not_in.")
        }
        let value = ValueReader(value: input.value, field: "\(field).value", op: op)
        switch key {
        case .amount:
            return .amount(try amount(value), currency: try currency(input.currency, field: "\(field).currency"))
        case .currency:
            return .currency(try value.membership { element throws(CheckoutRuleInvalid) in
                guard case .text(let code) = element.value, let currency = try? Currency(code: code) else {
                    throw element.invalid("an ISO 4217 currency code such as 'EUR'")
                }
                return currency
            })
        case .channel:
            return .channel(try value.membership { element throws(CheckoutRuleInvalid) in
                guard case .text(let name) = element.value, let channel = CheckoutChannel(rawValue: name) else {
                    throw element.invalid("one of \(CheckoutChannel.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return channel
            })
        case .country:
            return .country(try value.membership { element throws(CheckoutRuleInvalid) in
                guard case .text(let code) = element.value, let country = CountryCode(rawValue: code) else {
                    throw element.invalid("a two-letter ISO 3166 country code such as 'IT'")
                }
                return country
            })
        case .userType: return .userType(try value.membership(Self.text))
        case .productCategory: return .productCategory(try value.membership(Self.text))
        case .metadata(let name): return .metadata(name: name, try value.membership(Self.text))
        }
    }

    private static func text(_ element: ValueReader) throws(CheckoutRuleInvalid) -> String {
        guard case .text(let text) = element.value, !text.isEmpty, text.count <= maxTextLength else {
            throw element.invalid("a string of 1 to \(maxTextLength) characters")
        }
        return text
    }

    private static func minorUnits(_ element: ValueReader) throws(CheckoutRuleInvalid) -> Int64 {
        guard case .integer(let amount) = element.value, amount >= 0 else {
            throw element.invalid("an amount in minor units (an integer of 0 or more)")
        }
        return amount
    }

    private static func amount(_ value: ValueReader) throws(CheckoutRuleInvalid) -> AmountComparison {
        switch value.op {
        case .greaterThan: .greaterThan(try minorUnits(value))
        case .greaterOrEqual: .greaterOrEqual(try minorUnits(value))
        case .lessThan: .lessThan(try minorUnits(value))
        case .lessOrEqual: .lessOrEqual(try minorUnits(value))
        case .equals, .notEquals, .in, .notIn: .membership(try value.membership(Self.minorUnits))
        }
    }

    private static func currency(_ code: String?, field: String) throws(CheckoutRuleInvalid) -> Currency? {
        guard let code else { return nil }
        guard let currency = try? Currency(code: code) else {
            throw CheckoutRuleInvalid(.currencyInvalid, field: field, "'\(code)' is not an ISO 4217 currency code.")
        }
        return currency
    }
}

/// One value being read, with the field that an error about it names.
struct ValueReader {
    var value: RuleValue
    var field: String
    var op: RuleOperator

    func invalid(_ expected: String) -> CheckoutRuleInvalid {
        CheckoutRuleInvalid(.valueInvalid, field: field, "\(field) must be \(expected), not \(value.kind).")
    }

    /// A single value for `equals` / `not_equals`, a non-empty list for `in` / `not_in`.
    func membership<Value: Hashable & Sendable>(
        _ element: (ValueReader) throws(CheckoutRuleInvalid) -> Value
    ) throws(CheckoutRuleInvalid) -> Membership<Value> {
        switch op {
        case .equals, .notEquals:
            if case .list = value { throw invalid("a single value for '\(op.rawValue)'") }
            let single = try element(self)
            return op == .equals ? .equals(single) : .notEquals(single)
        case .in, .notIn:
            guard case .list(let items) = value else { throw invalid("a list of values for '\(op.rawValue)'") }
            guard !items.isEmpty else {
                throw CheckoutRuleInvalid(.listEmpty, field: field, "\(field) must list at least one value for '\(op.rawValue)'.")
            }
            guard items.count <= CheckoutRuleParser.maxListValues else {
                throw CheckoutRuleInvalid(.tooMany, field: field, "\(field) can list at most \(CheckoutRuleParser.maxListValues) values.")
            }
            var values = Set<Value>()
            for (index, item) in items.enumerated() {
                values.insert(try element(ValueReader(value: item, field: "\(field).\(index)", op: op)))
            }
            return op == .in ? .isIn(values) : .notIn(values)
        case .greaterThan, .greaterOrEqual, .lessThan, .lessOrEqual:
            throw CheckoutRuleInvalid(.operatorNotForKey, field: field, "'\(op.rawValue)' compares amounts only.")
        }
    }
}
