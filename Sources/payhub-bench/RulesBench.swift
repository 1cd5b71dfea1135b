import ArgumentParser
import PayHubCore

/// Times the checkout rule engine in this process: one evaluation of a merchant's rule set (the winning rule and
/// the filter by what its accounts offer) for a session that no conditional rule matches, so every rule is tried
/// before the default one wins. Prints the time per evaluation (the median of several rounds).
struct RulesBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules", abstract: "Time one evaluation of a set of checkout rules (goal: 100 rules in under 50 µs).")

    @Option(help: "Rules in the set, the default one included.") var rules = 100
    @Option(help: "Evaluations per round.") var iterations = 100_000
    @Option(help: "Rounds; the median is reported.") var rounds = 7

    func run() async throws {
        let set = CheckoutRuleSet(try Self.rules(count: rules))
        let session = CheckoutAttributes(
            amount: 4_990, currency: try Currency(code: "EUR"), userType: "consumer", channel: .web, country: CountryCode(rawValue: "IT"),
            productCategories: ["books", "games", "garden"], metadata: ["tier": "silver", "campaign": "winter"])
        let capabilities = ["card", "wallet", "mobile_money"].compactMap(PaymentMethodType.init(rawValue:)).map {
            MethodCapability(paymentMethod: $0, provider: "sandbox")
        }
        precondition(set.winner(for: session)?.isDefault == true, "the session must reach the default rule")
        var perEvaluation: [Double] = []
        var checksum = 0
        for _ in 0..<rounds {
            let clock = ContinuousClock()
            let started = clock.now
            for _ in 0..<iterations {
                checksum &+= set.decide(for: session, capabilities: capabilities).methods.count
            }
            let elapsed = clock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            perEvaluation.append(seconds / Double(iterations))
        }
        perEvaluation.sort()
        print(String(format: "rules %d: %.2f µs per evaluation (median of %d rounds of %d; best %.2f µs, worst %.2f µs) [checksum %d]",
                     rules, perEvaluation[perEvaluation.count / 2] * 1e6, rounds, iterations, perEvaluation[0] * 1e6,
                     perEvaluation[perEvaluation.count - 1] * 1e6, checksum))
    }

    /// `count - 1` conditional rules of two or three conditions over every kind of key, none matching the session
    /// (each fails on its last condition, so all of them are read), and a default rule.
    static func rules(count: Int) throws -> [CheckoutRule] {
        let shapes: [[RuleConditionInput]] = [
            [.init(key: "currency", operator: "equals", value: .text("EUR")), .init(key: "amount", operator: "greater_than", value: .integer(10_000))],
            [.init(key: "channel", operator: "in", value: .list([.text("web"), .text("app")])),
             .init(key: "user_type", operator: "equals", value: .text("business"))],
            [.init(key: "country", operator: "not_in", value: .list([.text("FR"), .text("DE")])),
             .init(key: "product_category", operator: "in", value: .list([.text("music"), .text("tools")]))],
            [.init(key: "amount", operator: "less_or_equal", value: .integer(100_000), currency: "EUR"),
             .init(key: "metadata.tier", operator: "not_equals", value: .text("bronze")),
             .init(key: "metadata.campaign", operator: "equals", value: .text("summer"))],
        ]
        let methods = [RuleMethodInput(paymentMethod: "wallet"), RuleMethodInput(paymentMethod: "card")]
        var rules = try (1..<count).map { n in
            try CheckoutRuleParser.rule(
                id: CheckoutRuleID(rawValue: "crule_bench\(n)"),
                CheckoutRuleInput(priority: n, conditions: shapes[n % shapes.count], methods: methods))
        }
        rules.append(try CheckoutRuleParser.rule(
            id: CheckoutRuleID(rawValue: "crule_default"), CheckoutRuleInput(priority: 0, conditions: [], methods: methods)))
        return rules
    }
}
