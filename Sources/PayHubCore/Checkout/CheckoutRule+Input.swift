extension CheckoutRule {
    /// The rule written back in the API's terms, normalised: upper-case codes, `in` lists sorted. Parsing it gives
    /// this rule again, so it is also what the database stores.
    public var input: CheckoutRuleInput {
        CheckoutRuleInput(
            priority: priority, conditions: conditions.map(\.input),
            methods: methods.map { RuleMethodInput(paymentMethod: $0.paymentMethod.rawValue, provider: $0.provider) })
    }
}

extension RuleCondition {
    public var key: RuleKey {
        switch self {
        case .amount: .amount
        case .currency: .currency
        case .userType: .userType
        case .productCategory: .productCategory
        case .channel: .channel
        case .country: .country
        case .metadata(let name, _): .metadata(name)
        }
    }

    public var input: RuleConditionInput {
        let key = key.rawValue
        func written<Value>(_ test: Membership<Value>, _ value: (Value) -> RuleValue, order: (Value, Value) -> Bool) -> RuleConditionInput {
            switch test {
            case .equals(let one): RuleConditionInput(key: key, operator: RuleOperator.equals.rawValue, value: value(one))
            case .notEquals(let one): RuleConditionInput(key: key, operator: RuleOperator.notEquals.rawValue, value: value(one))
            case .isIn(let all): RuleConditionInput(key: key, operator: RuleOperator.in.rawValue, value: .list(all.sorted(by: order).map(value)))
            case .notIn(let all): RuleConditionInput(key: key, operator: RuleOperator.notIn.rawValue, value: .list(all.sorted(by: order).map(value)))
            }
        }
        switch self {
        case .amount(let comparison, let currency):
            var condition: RuleConditionInput
            switch comparison {
            case .membership(let test): condition = written(test, RuleValue.integer, order: <)
            case .greaterThan(let bound): condition = RuleConditionInput(key: key, operator: RuleOperator.greaterThan.rawValue, value: .integer(bound))
            case .greaterOrEqual(let bound): condition = RuleConditionInput(key: key, operator: RuleOperator.greaterOrEqual.rawValue, value: .integer(bound))
            case .lessThan(let bound): condition = RuleConditionInput(key: key, operator: RuleOperator.lessThan.rawValue, value: .integer(bound))
            case .lessOrEqual(let bound): condition = RuleConditionInput(key: key, operator: RuleOperator.lessOrEqual.rawValue, value: .integer(bound))
            }
            condition.currency = currency?.code
            return condition
        case .currency(let test): return written(test, { .text($0.code) }, order: { $0.code < $1.code })
        case .channel(let test): return written(test, { .text($0.rawValue) }, order: { $0.rawValue < $1.rawValue })
        case .country(let test): return written(test, { .text($0.rawValue) }, order: { $0.rawValue < $1.rawValue })
        case .userType(let test), .productCategory(let test), .metadata(_, let test): return written(test, RuleValue.text, order: <)
        }
    }
}
