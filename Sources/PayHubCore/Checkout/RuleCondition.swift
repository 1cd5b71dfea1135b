/// The operators a rule condition can use.
public enum RuleOperator: String, Sendable, CaseIterable {
    case equals
    case notEquals = "not_equals"
    case `in`
    case notIn = "not_in"
    case greaterThan = "greater_than"
    case greaterOrEqual = "greater_or_equal"
    case lessThan = "less_than"
    case lessOrEqual = "less_or_equal"

    /// Whether it orders values (amounts only) rather than testing membership.
    var orders: Bool {
        switch self {
        case .greaterThan, .greaterOrEqual, .lessThan, .lessOrEqual: true
        case .equals, .notEquals, .in, .notIn: false
        }
    }
}

/// Equality and membership tests. The negative ones hold exactly when the positive ones do not, so a session
/// without the attribute satisfies `not_equals` and `not_in` and never `equals` or `in`.
public enum Membership<Value: Hashable & Sendable>: Sendable, Hashable {
    case equals(Value)
    case notEquals(Value)
    case isIn(Set<Value>)
    case notIn(Set<Value>)

    /// For an attribute with one value (or none).
    public func holds(for value: Value?) -> Bool {
        switch self {
        case .equals(let expected): value == expected
        case .notEquals(let expected): value != expected
        case .isIn(let allowed): value.map(allowed.contains) ?? false
        case .notIn(let refused): !(value.map(refused.contains) ?? false)
        }
    }

    /// For an attribute with several values: `equals` and `in` hold when any of them matches.
    public func holds(forAny values: Set<Value>) -> Bool {
        switch self {
        case .equals(let expected): values.contains(expected)
        case .notEquals(let expected): !values.contains(expected)
        case .isIn(let allowed): !allowed.isDisjoint(with: values)
        case .notIn(let refused): refused.isDisjoint(with: values)
        }
    }
}

/// A test of an amount in minor units.
public enum AmountComparison: Sendable, Hashable {
    case membership(Membership<Int64>)
    case greaterThan(Int64)
    case greaterOrEqual(Int64)
    case lessThan(Int64)
    case lessOrEqual(Int64)

    public func holds(for amount: Int64) -> Bool {
        switch self {
        case .membership(let test): test.holds(for: amount)
        case .greaterThan(let bound): amount > bound
        case .greaterOrEqual(let bound): amount >= bound
        case .lessThan(let bound): amount < bound
        case .lessOrEqual(let bound): amount <= bound
        }
    }
}

/// One typed condition of a rule: the key decides the value's type.
public enum RuleCondition: Sendable, Hashable {
    /// With a currency, it compares only sessions in that currency (and does not hold for others).
    case amount(AmountComparison, currency: Currency?)
    case currency(Membership<Currency>)
    case userType(Membership<String>)
    /// Holds when any line item's category matches.
    case productCategory(Membership<String>)
    case channel(Membership<CheckoutChannel>)
    case country(Membership<CountryCode>)
    case metadata(name: String, Membership<String>)

    public func holds(for session: CheckoutAttributes) -> Bool {
        switch self {
        case .amount(let comparison, let currency):
            if let currency, currency != session.currency { return false }
            return comparison.holds(for: session.amount)
        case .currency(let test): return test.holds(for: session.currency)
        case .userType(let test): return test.holds(for: session.userType)
        case .productCategory(let test): return test.holds(forAny: session.productCategories)
        case .channel(let test): return test.holds(for: session.channel)
        case .country(let test): return test.holds(for: session.country)
        case .metadata(let name, let test): return test.holds(for: session.metadata[name])
        }
    }
}
