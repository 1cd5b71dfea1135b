import PayHubCore
import XCTest

/// Every operator on every kind of key, holding and not holding, against `RuleFixtures.session`.
final class CheckoutRuleOperatorTests: XCTestCase {
    typealias Case = (condition: RuleConditionInput, holds: Bool)

    private func check(_ cases: [Case], on session: CheckoutAttributes = RuleFixtures.session, file: StaticString = #filePath, line: UInt = #line) throws {
        for (input, expected) in cases {
            let condition = try RuleFixtures.condition(input)
            XCTAssertEqual(condition.holds(for: session), expected, "\(input.key) \(input.operator) \(input.value)", file: file, line: line)
        }
    }

    private func when(_ key: String, _ op: String, _ value: RuleValue, currency: String? = nil) -> RuleConditionInput {
        RuleFixtures.when(key, op, value, currency: currency)
    }

    func testAmountTakesEveryOperatorInMinorUnits() throws {
        try check([
            (when("amount", "equals", .integer(5000)), true), (when("amount", "equals", .integer(4999)), false),
            (when("amount", "not_equals", .integer(4999)), true), (when("amount", "not_equals", .integer(5000)), false),
            (when("amount", "in", .list([.integer(1), .integer(5000)])), true), (when("amount", "in", .list([.integer(1)])), false),
            (when("amount", "not_in", .list([.integer(1)])), true), (when("amount", "not_in", .list([.integer(5000)])), false),
            (when("amount", "greater_than", .integer(4999)), true), (when("amount", "greater_than", .integer(5000)), false),
            (when("amount", "greater_or_equal", .integer(5000)), true), (when("amount", "greater_or_equal", .integer(5001)), false),
            (when("amount", "less_than", .integer(5001)), true), (when("amount", "less_than", .integer(5000)), false),
            (when("amount", "less_or_equal", .integer(5000)), true), (when("amount", "less_or_equal", .integer(4999)), false),
            (when("amount", "greater_or_equal", .integer(0)), true),
        ])
    }

    func testAnAmountWithACurrencyComparesOnlySessionsInThatCurrency() throws {
        try check([
            (when("amount", "greater_than", .integer(100), currency: "EUR"), true),
            (when("amount", "greater_than", .integer(100), currency: "eur"), true),
            (when("amount", "greater_than", .integer(100), currency: "USD"), false),
            (when("amount", "less_than", .integer(100), currency: "USD"), false),
            (when("amount", "not_equals", .integer(1), currency: "USD"), false),
            (when("amount", "not_in", .list([.integer(1)]), currency: "JPY"), false),
        ])
        var dollars = RuleFixtures.session
        dollars.currency = RuleFixtures.usd
        try check([
            (when("amount", "greater_than", .integer(100), currency: "USD"), true),
            (when("amount", "greater_than", .integer(100), currency: "EUR"), false),
            (when("amount", "greater_than", .integer(100)), true),
        ], on: dollars)
    }

    func testCurrency() throws {
        try check([
            (when("currency", "equals", .text("EUR")), true), (when("currency", "equals", .text("eur")), true),
            (when("currency", "equals", .text("USD")), false),
            (when("currency", "not_equals", .text("USD")), true), (when("currency", "not_equals", .text("EUR")), false),
            (when("currency", "in", .list([.text("USD"), .text("EUR")])), true), (when("currency", "in", .list([.text("USD")])), false),
            (when("currency", "not_in", .list([.text("USD")])), true), (when("currency", "not_in", .list([.text("EUR")])), false),
        ])
    }

    func testUserType() throws {
        try check([
            (when("user_type", "equals", .text("business")), true), (when("user_type", "equals", .text("consumer")), false),
            (when("user_type", "equals", .text("Business")), false),
            (when("user_type", "not_equals", .text("consumer")), true), (when("user_type", "not_equals", .text("business")), false),
            (when("user_type", "in", .list([.text("vip"), .text("business")])), true), (when("user_type", "in", .list([.text("vip")])), false),
            (when("user_type", "not_in", .list([.text("vip")])), true), (when("user_type", "not_in", .list([.text("business")])), false),
        ])
    }

    func testProductCategoryMatchesWhenAnyLineItemHasIt() throws {
        try check([
            (when("product_category", "equals", .text("books")), true), (when("product_category", "equals", .text("games")), true),
            (when("product_category", "equals", .text("music")), false),
            (when("product_category", "not_equals", .text("music")), true), (when("product_category", "not_equals", .text("books")), false),
            (when("product_category", "in", .list([.text("music"), .text("games")])), true),
            (when("product_category", "in", .list([.text("music")])), false),
            (when("product_category", "not_in", .list([.text("music")])), true),
            (when("product_category", "not_in", .list([.text("music"), .text("games")])), false),
        ])
    }

    func testChannel() throws {
        try check([
            (when("channel", "equals", .text("web")), true), (when("channel", "equals", .text("pos")), false),
            (when("channel", "not_equals", .text("app")), true), (when("channel", "not_equals", .text("web")), false),
            (when("channel", "in", .list([.text("link"), .text("web")])), true), (when("channel", "in", .list([.text("app"), .text("pos")])), false),
            (when("channel", "not_in", .list([.text("link")])), true), (when("channel", "not_in", .list([.text("web")])), false),
        ])
    }

    func testCountry() throws {
        try check([
            (when("country", "equals", .text("IT")), true), (when("country", "equals", .text("it")), true),
            (when("country", "equals", .text("FR")), false),
            (when("country", "not_equals", .text("FR")), true), (when("country", "not_equals", .text("IT")), false),
            (when("country", "in", .list([.text("FR"), .text("IT")])), true), (when("country", "in", .list([.text("FR")])), false),
            (when("country", "not_in", .list([.text("FR")])), true), (when("country", "not_in", .list([.text("IT")])), false),
        ])
    }

    func testMetadataKeysReadTheNamedEntry() throws {
        try check([
            (when("metadata.tier", "equals", .text("gold")), true), (when("metadata.tier", "equals", .text("silver")), false),
            (when("metadata.tier", "not_equals", .text("silver")), true), (when("metadata.tier", "not_equals", .text("gold")), false),
            (when("metadata.tier", "in", .list([.text("gold"), .text("platinum")])), true),
            (when("metadata.tier", "in", .list([.text("silver")])), false),
            (when("metadata.tier", "not_in", .list([.text("silver")])), true), (when("metadata.tier", "not_in", .list([.text("gold")])), false),
            (when("metadata.region", "equals", .text("gold")), false), (when("metadata.region", "not_equals", .text("gold")), true),
        ])
    }

    /// A session without the attribute: positive tests fail, their negations hold.
    func testAMissingAttributeFailsPositiveTestsAndPassesNegativeOnes() throws {
        for key in ["user_type", "product_category", "metadata.tier"] {
            try check([
                (when(key, "equals", .text("x")), false), (when(key, "in", .list([.text("x")])), false),
                (when(key, "not_equals", .text("x")), true), (when(key, "not_in", .list([.text("x")])), true),
            ], on: RuleFixtures.bare)
        }
        try check([
            (when("channel", "equals", .text("web")), false), (when("channel", "not_in", .list([.text("web")])), true),
            (when("country", "in", .list([.text("IT")])), false), (when("country", "not_equals", .text("IT")), true),
        ], on: RuleFixtures.bare)
    }

    func testOrderingOperatorsAreForAmountsOnly() {
        for key in ["currency", "user_type", "product_category", "channel", "country", "metadata.tier"] {
            for op in ["greater_than", "greater_or_equal", "less_than", "less_or_equal"] {
                let refusal = RuleFixtures.refusal(when(key, op, .text("x")))
                XCTAssertEqual(refusal?.reason, .operatorNotForKey, "\(key) \(op)")
                XCTAssertEqual(refusal?.field, "conditions.0.operator", "\(key) \(op)")
            }
        }
    }

    func testAllConditionsOfARuleMustHold() throws {
        let both = try RuleFixtures.rule(1, [when("user_type", "equals", .text("business")), when("amount", "greater_than", .integer(1000))])
        XCTAssertTrue(both.applies(to: RuleFixtures.session))
        let oneFails = try RuleFixtures.rule(1, [when("user_type", "equals", .text("business")), when("amount", "greater_than", .integer(9000))])
        XCTAssertFalse(oneFails.applies(to: RuleFixtures.session))
        XCTAssertTrue(try RuleFixtures.rule(1, []).applies(to: RuleFixtures.bare), "no conditions: always")
    }
}
