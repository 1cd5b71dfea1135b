import Foundation
import PayHubCore
import XCTest

/// Refusals name the field; what is accepted comes back normalised and parses to the same rule.
final class CheckoutRuleParserTests: XCTestCase {
    private func when(_ key: String, _ op: String, _ value: RuleValue, currency: String? = nil) -> RuleConditionInput {
        RuleFixtures.when(key, op, value, currency: currency)
    }

    func testEveryRefusalNamesItsField() {
        let cases: [(RuleConditionInput, CheckoutRuleInvalid.Reason, String)] = [
            (when("colour", "equals", .text("red")), .keyUnknown, "conditions.0.key"),
            (when("metadata.", "equals", .text("x")), .keyUnknown, "conditions.0.key"),
            (when("metadata", "equals", .text("x")), .keyUnknown, "conditions.0.key"),
            (when("metadata." + String(repeating: "k", count: 41), "equals", .text("x")), .keyUnknown, "conditions.0.key"),
            (when("amount", "contains", .integer(1)), .operatorUnknown, "conditions.0.operator"),
            (when("amount", "EQUALS", .integer(1)), .operatorUnknown, "conditions.0.operator"),
            (when("amount", "greater_than", .text("10")), .valueInvalid, "conditions.0.value"),
            (when("amount", "greater_than", .integer(-1)), .valueInvalid, "conditions.0.value"),
            (when("amount", "greater_than", .list([.integer(1)])), .valueInvalid, "conditions.0.value"),
            (when("amount", "equals", .unsupported(kind: "a boolean")), .valueInvalid, "conditions.0.value"),
            (when("amount", "in", .list([.integer(1), .text("2")])), .valueInvalid, "conditions.0.value.1"),
            (when("amount", "greater_than", .integer(1), currency: "ZZZ"), .currencyInvalid, "conditions.0.currency"),
            (when("currency", "equals", .text("ZZZ")), .valueInvalid, "conditions.0.value"),
            (when("currency", "equals", .integer(978)), .valueInvalid, "conditions.0.value"),
            (when("currency", "in", .text("EUR")), .valueInvalid, "conditions.0.value"),
            (when("currency", "in", .list([])), .listEmpty, "conditions.0.value"),
            (when("currency", "equals", .text("EUR"), currency: "EUR"), .currencyInvalid, "conditions.0.currency"),
            (when("user_type", "equals", .text("")), .valueInvalid, "conditions.0.value"),
            (when("user_type", "equals", .list([.text("a")])), .valueInvalid, "conditions.0.value"),
            (when("user_type", "not_in", .list([])), .listEmpty, "conditions.0.value"),
            (when("user_type", "in", .list(Array(repeating: .text("a"), count: 101))), .tooMany, "conditions.0.value"),
            (when("product_category", "in", .list([.text("books"), .list([.text("x")])])), .valueInvalid, "conditions.0.value.1"),
            (when("product_category", "equals", .unsupported(kind: "null")), .valueInvalid, "conditions.0.value"),
            (when("channel", "equals", .text("email")), .valueInvalid, "conditions.0.value"),
            (when("channel", "not_in", .list([.text("web"), .text("fax")])), .valueInvalid, "conditions.0.value.1"),
            (when("country", "equals", .text("ITA")), .valueInvalid, "conditions.0.value"),
            (when("country", "equals", .text("1T")), .valueInvalid, "conditions.0.value"),
            (when("metadata.tier", "equals", .integer(1)), .valueInvalid, "conditions.0.value"),
            (when("metadata.tier", "equals", .text(String(repeating: "x", count: 501))), .valueInvalid, "conditions.0.value"),
        ]
        for (condition, reason, field) in cases {
            let refusal = RuleFixtures.refusal(condition)
            XCTAssertEqual(refusal?.reason, reason, "\(condition)")
            XCTAssertEqual(refusal?.field, field, "\(condition)")
            XCTAssertTrue(refusal?.message.isEmpty == false)
        }
    }

    func testTheSecondConditionsFieldIsNamedByItsIndex() {
        let refusal = RuleFixtures.refusal(CheckoutRuleInput(
            priority: 1, conditions: [when("currency", "equals", .text("EUR")), when("shoe", "equals", .text("x"))],
            methods: RuleFixtures.methods("card")))
        XCTAssertEqual(refusal?.field, "conditions.1.key")
        XCTAssertTrue(refusal?.message.contains("shoe") ?? false)
    }

    func testTheRuleItselfIsChecked() {
        let card = RuleFixtures.methods("card")
        let cases: [(CheckoutRuleInput, CheckoutRuleInvalid.Reason, String)] = [
            (CheckoutRuleInput(priority: -1, conditions: [], methods: card), .priorityInvalid, "priority"),
            (CheckoutRuleInput(priority: 1_000_001, conditions: [], methods: card), .priorityInvalid, "priority"),
            (CheckoutRuleInput(priority: 1, conditions: [], methods: []), .tooMany, "methods"),
            (CheckoutRuleInput(priority: 1, conditions: Array(repeating: when("currency", "equals", .text("EUR")), count: 21), methods: card),
             .tooMany, "conditions"),
            (CheckoutRuleInput(priority: 1, conditions: [], methods: RuleFixtures.methods("Card")), .methodInvalid, "methods.0.payment_method"),
            (CheckoutRuleInput(priority: 1, conditions: [], methods: RuleFixtures.methods("card", "")), .methodInvalid, "methods.1.payment_method"),
            (CheckoutRuleInput(priority: 1, conditions: [], methods: RuleFixtures.methods("card@Stripe!")), .methodInvalid, "methods.0.provider"),
            (CheckoutRuleInput(priority: 1, conditions: [], methods: RuleFixtures.methods("card", "wallet", "card")), .methodInvalid, "methods.2"),
        ]
        for (input, reason, field) in cases {
            let refusal = RuleFixtures.refusal(input)
            XCTAssertEqual(refusal?.reason, reason, "\(input)")
            XCTAssertEqual(refusal?.field, field, "\(input)")
        }
    }

    func testTheWrittenFormIsNormalisedAndParsesToTheSameRule() throws {
        let rule = try RuleFixtures.rule(1, [
            when("amount", "greater_or_equal", .integer(10_000), currency: "eur"),
            when("amount", "in", .list([.integer(300), .integer(100)])),
            when("currency", "not_in", .list([.text("usd"), .text("chf")])),
            when("country", "equals", .text("it")),
            when("channel", "in", .list([.text("web"), .text("app")])),
            when("user_type", "not_equals", .text("consumer")),
            when("product_category", "in", .list([.text("games"), .text("books")])),
            when("metadata.tier", "equals", .text("gold")),
        ], methods: RuleFixtures.methods("wallet", "card@sandbox"))
        let written = rule.input
        XCTAssertEqual(written.conditions[0], when("amount", "greater_or_equal", .integer(10_000), currency: "EUR"))
        XCTAssertEqual(written.conditions[1].value, .list([.integer(100), .integer(300)]))
        XCTAssertEqual(written.conditions[2].value, .list([.text("CHF"), .text("USD")]))
        XCTAssertEqual(written.conditions[3].value, .text("IT"))
        XCTAssertEqual(written.conditions[4].value, .list([.text("app"), .text("web")]))
        XCTAssertEqual(written.conditions[7].key, "metadata.tier")
        XCTAssertEqual(written.methods, RuleFixtures.methods("wallet", "card@sandbox"))
        XCTAssertEqual(try CheckoutRuleParser.rule(id: rule.id, written), rule)
        let stored = try JSONEncoder().encode(written)
        XCTAssertEqual(try JSONDecoder().decode(CheckoutRuleInput.self, from: stored), written)
    }

    func testValuesDecodeFromJSONByType() throws {
        let json = #"[1, "a", true, null, {"x": 1}, [1, "b"]]"#
        let values = try JSONDecoder().decode([RuleValue].self, from: Data(json.utf8))
        XCTAssertEqual(values, [
            .integer(1), .text("a"), .unsupported(kind: "a boolean"), .unsupported(kind: "null"), .unsupported(kind: "an object"),
            .list([.integer(1), .text("b")]),
        ])
        let refusal = RuleFixtures.refusal(when("amount", "equals", values[2]))
        XCTAssertTrue(refusal?.message.contains("a boolean") ?? false, refusal?.message ?? "")
    }
}
