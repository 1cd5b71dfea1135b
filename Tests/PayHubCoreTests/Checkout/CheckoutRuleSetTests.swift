import PayHubCore
import XCTest

/// Which rule wins, the default rule, and the filter by what the merchant's accounts offer.
final class CheckoutRuleSetTests: XCTestCase {
    private func when(_ key: String, _ op: String, _ value: RuleValue, currency: String? = nil) -> RuleConditionInput {
        RuleFixtures.when(key, op, value, currency: currency)
    }
    private func methods(_ names: String...) -> [RuleMethodInput] { names.map { RuleFixtures.methods($0)[0] } }

    func testTheHighestPriorityRuleThatAppliesWinsWhateverTheOrderGiven() throws {
        let low = try RuleFixtures.rule(1, priority: 10, [when("currency", "equals", .text("EUR"))], methods: methods("card"))
        let high = try RuleFixtures.rule(2, priority: 30, [when("user_type", "equals", .text("business"))], methods: methods("wallet"))
        let higherButNotApplying = try RuleFixtures.rule(3, priority: 50, [when("channel", "equals", .text("pos"))])
        let middle = try RuleFixtures.rule(4, priority: 20, [when("country", "equals", .text("IT"))])
        for order in [[low, high, higherButNotApplying, middle], [middle, higherButNotApplying, high, low], [high, low, middle, higherButNotApplying]] {
            XCTAssertEqual(CheckoutRuleSet(order).winner(for: RuleFixtures.session)?.id, high.id)
        }
        XCTAssertEqual(CheckoutRuleSet([low, middle]).winner(for: RuleFixtures.session)?.id, middle.id)
    }

    func testTheDefaultRuleAppliesOnlyWhenNoOtherDoes() throws {
        let fallback = try RuleFixtures.rule(1, priority: 100, [], methods: methods("card"))
        let business = try RuleFixtures.rule(2, priority: 5, [when("user_type", "equals", .text("business"))], methods: methods("wallet"))
        let set = CheckoutRuleSet([fallback, business])
        XCTAssertEqual(set.defaultRule?.id, fallback.id)
        XCTAssertEqual(set.winner(for: RuleFixtures.session)?.id, business.id, "a conditional rule beats the default, whatever its priority")
        XCTAssertEqual(set.winner(for: RuleFixtures.bare)?.id, fallback.id)
        XCTAssertNil(CheckoutRuleSet([business]).winner(for: RuleFixtures.bare), "no rule applies and there is no default")
    }

    func testWithNoRuleTheMerchantsDefaultIsEveryOfferedMethod() {
        let capabilities = [
            MethodCapability(paymentMethod: RuleFixtures.type("card"), provider: "sandbox"),
            MethodCapability(paymentMethod: RuleFixtures.type("card"), provider: "stripe"),
            MethodCapability(paymentMethod: RuleFixtures.type("wallet"), provider: "sandbox", currencies: [RuleFixtures.usd]),
            MethodCapability(paymentMethod: RuleFixtures.type("mobile_money"), provider: "sandbox"),
        ]
        let decision = CheckoutRuleSet([]).decide(for: RuleFixtures.session, capabilities: capabilities)
        XCTAssertNil(decision.rule)
        XCTAssertEqual(decision.methods.map(\.paymentMethod.rawValue), ["card", "mobile_money"])
    }

    func testTheFilterKeepsTheRulesOrderAndDropsWhatNoAccountOffersForTheCurrencyAndAmount() throws {
        let rule = try RuleFixtures.rule(1, [], methods: methods("wallet", "bnpl", "card", "mobile_money@stripe", "mobile_money", "qr"))
        let capabilities = [
            MethodCapability(paymentMethod: RuleFixtures.type("card"), provider: "stripe"),
            MethodCapability(paymentMethod: RuleFixtures.type("mobile_money"), provider: "sandbox", amounts: 100...10_000),
            MethodCapability(paymentMethod: RuleFixtures.type("wallet"), provider: "sandbox", currencies: [RuleFixtures.eur]),
            MethodCapability(paymentMethod: RuleFixtures.type("card"), provider: "sandbox"),
            MethodCapability(paymentMethod: RuleFixtures.type("qr"), provider: "sandbox", amounts: 6000...9000),
        ]
        let names = { (session: CheckoutAttributes) in
            CheckoutRuleSet([rule]).decide(for: session, capabilities: capabilities).methods.map {
                $0.paymentMethod.rawValue + ($0.provider.map { "@" + $0 } ?? "")
            }
        }
        XCTAssertEqual(names(RuleFixtures.session), ["wallet", "card", "mobile_money"])
        var dollars = RuleFixtures.session
        dollars.currency = RuleFixtures.usd
        XCTAssertEqual(names(dollars), ["card", "mobile_money"], "the wallet takes euros only")
        var large = RuleFixtures.session
        large.amount = 8000
        XCTAssertEqual(names(large), ["wallet", "card", "mobile_money", "qr"])
        large.amount = 20_000
        XCTAssertEqual(names(large), ["wallet", "card"], "above the mobile money limit")
    }

    func testAMethodNoAccountOffersIsNamed() throws {
        let capabilities = [
            MethodCapability(paymentMethod: RuleFixtures.type("card"), provider: "sandbox"),
            MethodCapability(paymentMethod: RuleFixtures.type("wallet"), provider: "sandbox"),
        ]
        let fine = try RuleFixtures.rule(1, [], methods: methods("card", "wallet@sandbox"))
        XCTAssertNil(MethodAvailability.firstUnoffered(fine.methods, by: capabilities))
        let unknownFamily = try RuleFixtures.rule(1, [], methods: methods("card", "bnpl"))
        let index = try XCTUnwrap(MethodAvailability.firstUnoffered(unknownFamily.methods, by: capabilities))
        let error = MethodAvailability.unofferedError(unknownFamily.methods, at: index)
        XCTAssertEqual(error.reason, .methodUnavailable)
        XCTAssertEqual(error.field, "methods.1.payment_method")
        let wrongProvider = try RuleFixtures.rule(1, [], methods: methods("card@stripe"))
        let providerIndex = try XCTUnwrap(MethodAvailability.firstUnoffered(wrongProvider.methods, by: capabilities))
        XCTAssertEqual(MethodAvailability.unofferedError(wrongProvider.methods, at: providerIndex).field, "methods.0.provider")
    }

    func testTwoRulesCannotShareAPriorityAndThereIsOneDefault() throws {
        let existing = [try RuleFixtures.rule(1, priority: 10, [when("currency", "equals", .text("EUR"))]), try RuleFixtures.rule(2, priority: 0, [])]
        let samePriority = try RuleFixtures.rule(3, priority: 10, [when("currency", "equals", .text("USD"))])
        XCTAssertEqual(CheckoutRuleSet.conflict(adding: samePriority, to: existing)?.reason, .priorityTaken)
        XCTAssertEqual(CheckoutRuleSet.conflict(adding: samePriority, to: existing)?.field, "priority")
        let secondDefault = try RuleFixtures.rule(4, priority: 5, [])
        XCTAssertEqual(CheckoutRuleSet.conflict(adding: secondDefault, to: existing)?.reason, .defaultRuleExists)
        XCTAssertEqual(CheckoutRuleSet.conflict(adding: secondDefault, to: existing)?.field, "conditions")
        XCTAssertNil(CheckoutRuleSet.conflict(adding: try RuleFixtures.rule(5, priority: 11, [when("currency", "equals", .text("USD"))]), to: existing))
    }
}
