/// A merchant's rules, ordered once for evaluation: the conditional rules by priority, highest first, then the
/// default rule (the one without conditions) when none of them applies.
public struct CheckoutRuleSet: Sendable {
    public let conditional: [CheckoutRule]
    public let defaultRule: CheckoutRule?

    public init(_ rules: [CheckoutRule]) {
        let ordered = rules.sorted { $0.priority != $1.priority ? $0.priority > $1.priority : $0.id.rawValue < $1.id.rawValue }
        conditional = ordered.filter { !$0.isDefault }
        defaultRule = ordered.first { $0.isDefault }
    }

    /// The rule that decides this session's methods, if any does.
    public func winner(for session: CheckoutAttributes) -> CheckoutRule? {
        for rule in conditional where rule.applies(to: session) { return rule }
        return defaultRule
    }

    /// The winning rule and the methods it shows that an account offers for the session; with no rule at all,
    /// the merchant's default: every method its accounts offer.
    public func decide(for session: CheckoutAttributes, capabilities: [MethodCapability]) -> CheckoutDecision {
        guard let rule = winner(for: session) else {
            return CheckoutDecision(rule: nil, methods: MethodAvailability.everyOffered(by: capabilities, for: session))
        }
        return CheckoutDecision(rule: rule, methods: MethodAvailability.offered(rule.methods, by: capabilities, for: session))
    }

    /// Why `rule` cannot join `existing`: a priority already taken, or a second default rule.
    public static func conflict(adding rule: CheckoutRule, to existing: [CheckoutRule]) -> CheckoutRuleInvalid? {
        if let taken = existing.first(where: { $0.priority == rule.priority }) {
            return CheckoutRuleInvalid(
                .priorityTaken, field: "priority", "Rule \(taken.id) already has priority \(rule.priority); priorities must differ.")
        }
        if rule.isDefault, let other = existing.first(where: \.isDefault) {
            return CheckoutRuleInvalid(
                .defaultRuleExists, field: "conditions",
                "Rule \(other.id) is already the default (a rule without conditions); give this one conditions or delete that one.")
        }
        return nil
    }
}

/// What a checkout shows: the rule that decided (nil for the merchant's default) and its methods, in order.
public struct CheckoutDecision: Sendable, Equatable {
    public var rule: CheckoutRule?
    public var methods: [RuleMethod]
}
