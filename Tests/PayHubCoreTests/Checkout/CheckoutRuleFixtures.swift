import PayHubCore
import XCTest

/// Rules and sessions for the engine's tests, written as a client would write them.
enum RuleFixtures {
    static let eur = try! Currency(code: "EUR")
    static let usd = try! Currency(code: "USD")

    /// EUR 50.00 from an Italian business customer on the web, buying books and games, tier gold.
    static let session = CheckoutAttributes(
        amount: 5000, currency: eur, userType: "business", channel: .web, country: CountryCode(rawValue: "IT"),
        productCategories: ["books", "games"], metadata: ["tier": "gold"])

    /// A session that carries only what every session has.
    static let bare = CheckoutAttributes(amount: 5000, currency: eur)

    static func when(_ key: String, _ op: String, _ value: RuleValue, currency: String? = nil) -> RuleConditionInput {
        RuleConditionInput(key: key, operator: op, value: value, currency: currency)
    }

    static func methods(_ names: String...) -> [RuleMethodInput] {
        names.map { name in
            let parts = name.split(separator: "@", omittingEmptySubsequences: false).map(String.init)
            return RuleMethodInput(paymentMethod: parts[0], provider: parts.count > 1 ? parts[1] : nil)
        }
    }

    static func id(_ n: Int) -> CheckoutRuleID { CheckoutRuleID(rawValue: "crule_\(n)") }

    static func rule(
        _ n: Int, priority: Int? = nil, _ conditions: [RuleConditionInput], methods: [RuleMethodInput] = methods("card")
    ) throws -> CheckoutRule {
        try CheckoutRuleParser.rule(id: id(n), CheckoutRuleInput(priority: priority ?? n, conditions: conditions, methods: methods))
    }

    static func condition(_ input: RuleConditionInput) throws -> RuleCondition {
        let rule = try CheckoutRuleParser.rule(id: id(0), CheckoutRuleInput(priority: 0, conditions: [input], methods: methods("card")))
        return rule.conditions[0]
    }

    /// The error parsing this rule gives.
    static func refusal(_ input: CheckoutRuleInput) -> CheckoutRuleInvalid? {
        do {
            _ = try CheckoutRuleParser.rule(id: id(0), input)
            return nil
        } catch {
            return error
        }
    }

    static func refusal(_ condition: RuleConditionInput) -> CheckoutRuleInvalid? {
        refusal(CheckoutRuleInput(priority: 1, conditions: [condition], methods: methods("card")))
    }

    static func type(_ name: String) -> PaymentMethodType { PaymentMethodType(rawValue: name)! }
}
