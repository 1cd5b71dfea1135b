import Foundation
@testable import PayHubServer
import XCTVapor

/// `/v1/checkout_rules`: rules that choose a checkout's methods, versioned, with their events.
final class CheckoutRulesTests: XCTestCase {
    /// Shows only wallets above EUR 100.00.
    private let walletAboveHundred: [String: Any] = [
        "priority": 20,
        "conditions": [["key": "amount", "operator": "greater_than", "value": 10_000, "currency": "EUR"]],
        "methods": [["payment_method": "wallet"]],
    ]
    /// Business customers get card and mobile money, through the sandbox.
    private let business: [String: Any] = [
        "priority": 10,
        "conditions": [["key": "user_type", "operator": "equals", "value": "business"]],
        "methods": [["payment_method": "mobile_money", "provider": "sandbox"], ["payment_method": "card"]],
    ]
    private let fallback: [String: Any] = ["priority": 0, "methods": [["payment_method": "card"]]]

    private func methods(_ reply: TestHub.Reply) -> [String] {
        ((reply["methods"] as? [[String: Any]]) ?? []).compactMap { $0["payment_method"] as? String }
    }

    private func winner(_ reply: TestHub.Reply) -> String? {
        (reply["rule"] as? [String: Any])?["id"] as? String
    }

    func testCreateListRetrieveAndDeleteWithAVersionPerChange() async throws {
        try await withEachDatabase { hub in
            let first = try await hub.request(.POST, "/v1/checkout_rules", json: business)
            XCTAssertEqual(first.status, .created, first.text)
            XCTAssertTrue(first.id.hasPrefix("crule_"))
            XCTAssertEqual(first["object"] as? String, "checkout_rule")
            XCTAssertEqual(first["version"] as? Int, 1)
            XCTAssertEqual(first["default"] as? Bool, false)
            XCTAssertEqual(first["livemode"] as? Bool, false)
            let condition = try XCTUnwrap((first["conditions"] as? [[String: Any]])?.first)
            XCTAssertEqual(condition["key"] as? String, "user_type")
            XCTAssertEqual(condition["operator"] as? String, "equals")
            XCTAssertEqual(condition["value"] as? String, "business")
            XCTAssertTrue(condition["currency"] is NSNull)
            XCTAssertEqual(self.methods(first), ["mobile_money", "card"])

            hub.clock.advance(1)
            let second = try await hub.request(.POST, "/v1/checkout_rules", json: fallback)
            XCTAssertEqual(second["version"] as? Int, 2)
            XCTAssertEqual(second["default"] as? Bool, true)

            let fetched = try await hub.request(.GET, "/v1/checkout_rules/\(first.id)")
            XCTAssertEqual(fetched.status, .ok)
            XCTAssertEqual(fetched.text, first.text)
            let list = try await hub.request(.GET, "/v1/checkout_rules")
            XCTAssertEqual(list["object"] as? String, "list")
            XCTAssertEqual(((list["data"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }, [second.id, first.id])

            let deleted = try await hub.request(.DELETE, "/v1/checkout_rules/\(first.id)")
            XCTAssertEqual(deleted.status, .ok, deleted.text)
            XCTAssertEqual(deleted["deleted"] as? Bool, true)
            XCTAssertEqual(deleted["object"] as? String, "checkout_rule")
            XCTAssertEqual(deleted["version"] as? Int, 3)
            let gone = try await hub.request(.GET, "/v1/checkout_rules/\(first.id)")
            XCTAssertEqual(gone.status, .notFound)
            let again = try await hub.request(.DELETE, "/v1/checkout_rules/\(first.id)")
            XCTAssertEqual(again.status, .notFound)
            let after = try await hub.request(.GET, "/v1/checkout_rules")
            XCTAssertEqual(((after["data"] as? [[String: Any]]) ?? []).count, 1)
            // Its priority is free again.
            let reused = try await hub.request(.POST, "/v1/checkout_rules", json: business)
            XCTAssertEqual(reused.status, .created, reused.text)
            XCTAssertEqual(reused["version"] as? Int, 4)
        }
    }

    func testEvaluateReturnsTheWinningRuleAndItsOfferedMethods() async throws {
        try await withEachDatabase { hub in
            let none = try await hub.request(.POST, "/v1/checkout_rules/evaluate", json: ["amount": 500, "currency": "EUR"])
            XCTAssertEqual(none.status, .ok, none.text)
            XCTAssertEqual(none["object"] as? String, "checkout_rule_evaluation")
            XCTAssertTrue(none["rule"] is NSNull)
            XCTAssertEqual(none["version"] as? Int, 0)
            XCTAssertEqual(
                Set(self.methods(none)), ["card", "wallet", "mobile_money", "bank_redirect", "bnpl", "bank_transfer", "qr"],
                "no rules: everything the sandbox offers")

            let wallet = try await hub.request(.POST, "/v1/checkout_rules", json: walletAboveHundred)
            let businessRule = try await hub.request(.POST, "/v1/checkout_rules", json: business)
            let defaultRule = try await hub.request(.POST, "/v1/checkout_rules", json: fallback)

            let large = try await hub.request(
                .POST, "/v1/checkout_rules/evaluate", json: ["amount": 20_000, "currency": "EUR", "user_type": "business"])
            XCTAssertEqual(self.winner(large), wallet.id, "the higher priority wins")
            XCTAssertEqual(self.methods(large), ["wallet"])
            XCTAssertEqual(large["version"] as? Int, 3)

            let dollars = try await hub.request(
                .POST, "/v1/checkout_rules/evaluate", json: ["amount": 20_000, "currency": "USD", "user_type": "business"])
            XCTAssertEqual(self.winner(dollars), businessRule.id, "the amount condition compares euros only")
            XCTAssertEqual(self.methods(dollars), ["mobile_money", "card"], "in the rule's order")
            let provider = (dollars["methods"] as? [[String: Any]])?.first?["provider"] as? String
            XCTAssertEqual(provider, "sandbox")

            let consumer = try await hub.request(
                .POST, "/v1/checkout_rules/evaluate",
                json: ["amount": 500, "currency": "EUR", "user_type": "consumer", "channel": "web", "country": "IT",
                       "line_items": [["category": "books"]], "metadata": ["tier": "gold"]])
            XCTAssertEqual(self.winner(consumer), defaultRule.id)
            XCTAssertEqual(self.methods(consumer), ["card"])
        }
    }

    func testProductCategoryAndMetadataRulesReadTheSession() async throws {
        try await withEachDatabase { hub in
            let books = try await hub.request(.POST, "/v1/checkout_rules", json: [
                "priority": 5, "conditions": [["key": "product_category", "operator": "in", "value": ["books", "music"]]],
                "methods": [["payment_method": "wallet"]],
            ])
            XCTAssertEqual(books.status, .created, books.text)
            let gold = try await hub.request(.POST, "/v1/checkout_rules", json: [
                "priority": 6, "conditions": [["key": "metadata.tier", "operator": "equals", "value": "gold"], ["key": "channel", "operator": "not_equals", "value": "pos"]],
                "methods": [["payment_method": "card"], ["payment_method": "wallet"]],
            ])
            let basket = try await hub.request(
                .POST, "/v1/checkout_rules/evaluate",
                json: ["amount": 900, "currency": "EUR", "line_items": [["category": "garden"], ["category": "books"]]])
            XCTAssertEqual(self.winner(basket), books.id, "any line item's category")
            let member = try await hub.request(
                .POST, "/v1/checkout_rules/evaluate",
                json: ["amount": 900, "currency": "EUR", "metadata": ["tier": "gold"], "line_items": [["category": "books"]]])
            XCTAssertEqual(self.winner(member), gold.id)
            XCTAssertEqual(self.methods(member), ["card", "wallet"])
            let atTheTill = try await hub.request(
                .POST, "/v1/checkout_rules/evaluate", json: ["amount": 900, "currency": "EUR", "metadata": ["tier": "gold"], "channel": "pos"])
            XCTAssertTrue(atTheTill["rule"] is NSNull, "no rule applies and there is no default")
        }
    }

    func testInvalidRulesAreRefusedNamingTheField() async throws {
        try await withEachDatabase { hub in
            let card = [["payment_method": "card"]]
            let cases: [([String: Any], String, String)] = [
                (["priority": 1, "conditions": [["key": "colour", "operator": "equals", "value": "red"]], "methods": card],
                 "rule_key_unknown", "conditions.0.key"),
                (["priority": 1, "conditions": [["key": "amount", "operator": "about", "value": 1]], "methods": card],
                 "rule_operator_unknown", "conditions.0.operator"),
                (["priority": 1, "conditions": [["key": "amount", "operator": "greater_than", "value": "100"]], "methods": card],
                 "rule_value_invalid", "conditions.0.value"),
                (["priority": 1, "conditions": [["key": "country", "operator": "less_than", "value": "IT"]], "methods": card],
                 "rule_operator_invalid", "conditions.0.operator"),
                (["priority": 1, "conditions": [["key": "channel", "operator": "in", "value": []]], "methods": card],
                 "rule_value_empty", "conditions.0.value"),
                (["priority": 1, "conditions": [["key": "channel", "operator": "in", "value": ["web", true]]], "methods": card],
                 "rule_value_invalid", "conditions.0.value.1"),
                (["priority": 1, "conditions": [["key": "amount", "operator": "equals", "value": 1, "currency": "ZZZ"]], "methods": card],
                 "rule_currency_invalid", "conditions.0.currency"),
                (["priority": 1, "methods": [["payment_method": "card"], ["payment_method": "cash_on_delivery"]]],
                 "rule_method_unavailable", "methods.1.payment_method"),
                (["priority": 1, "methods": [["payment_method": "card", "provider": "stripe"]]],
                 "rule_method_unavailable", "methods.0.provider"),
                (["priority": 1, "methods": []], "rule_too_large", "methods"),
                (["priority": 1, "conditions": [["key": "amount", "operator": "equals", "value": 1, "shoe": 2]], "methods": card],
                 "parameter_unknown", "conditions.0.shoe"),
                (["priority": 1, "conditions": [["key": "amount", "operator": "equals"]], "methods": card],
                 "parameter_missing", "conditions.0.value"),
                (["priority": 1, "conditions": "amount", "methods": card], "parameter_invalid_type", "conditions"),
                (["conditions": [], "methods": card], "parameter_missing", "priority"),
            ]
            for (body, code, param) in cases {
                let reply = try await hub.request(.POST, "/v1/checkout_rules", json: body)
                XCTAssertEqual(reply.status, .badRequest, "\(body): \(reply.text)")
                XCTAssertEqual(reply.errorCode, code, "\(body): \(reply.text)")
                XCTAssertEqual(reply.errorParam, param, "\(body): \(reply.text)")
            }
            let first = try await hub.request(.POST, "/v1/checkout_rules", json: business)
            XCTAssertEqual(first.status, .created)
            var samePriority = walletAboveHundred
            samePriority["priority"] = 10
            let taken = try await hub.request(.POST, "/v1/checkout_rules", json: samePriority)
            XCTAssertEqual(taken.errorCode, "rule_priority_taken")
            XCTAssertEqual(taken.errorParam, "priority")
            _ = try await hub.request(.POST, "/v1/checkout_rules", json: fallback)
            let secondDefault = try await hub.request(.POST, "/v1/checkout_rules", json: ["priority": 99, "methods": [["payment_method": "wallet"]]])
            XCTAssertEqual(secondDefault.errorCode, "rule_default_exists")
            XCTAssertEqual(secondDefault.errorParam, "conditions")

            let list = try await hub.request(.GET, "/v1/checkout_rules")
            XCTAssertEqual(((list["data"] as? [Any]) ?? []).count, 2, "nothing refused was stored")
            let rules = try await hub.request(.POST, "/v1/checkout_rules/evaluate", json: ["amount": 1, "currency": "EUR"])
            XCTAssertEqual(rules["version"] as? Int, 2, "a refused change takes no version")

            for (body, param) in [
                (["amount": 1, "currency": "ZZZ"] as [String: Any], "currency"), (["amount": -1, "currency": "EUR"], "amount"),
                (["currency": "EUR"], "amount"), (["amount": 1, "currency": "EUR", "channel": "fax"], "channel"),
                (["amount": 1, "currency": "EUR", "country": "Italy"], "country"),
                (["amount": 1, "currency": "EUR", "line_items": [["category": "a", "price": 3]]], "line_items.0.price"),
            ] {
                let reply = try await hub.request(.POST, "/v1/checkout_rules/evaluate", json: body)
                XCTAssertEqual(reply.status, .badRequest, "\(body): \(reply.text)")
                XCTAssertEqual(reply.errorParam, param, "\(body): \(reply.text)")
            }
        }
    }

    func testAnotherMerchantsOrModesRuleIsNotFoundAndNotEvaluated() async throws {
        try await withEachDatabase { hub in
            let rule = try await hub.request(.POST, "/v1/checkout_rules", json: business)
            let other = try await MerchantService(context: hub.context, db: hub.app.db).create(name: "Other Shop")
            for key in [other.secretKeyTest, hub.merchant.secretKeyLive] {
                for method in [HTTPMethod.GET, .DELETE] {
                    let reply = try await hub.request(method, "/v1/checkout_rules/\(rule.id)", key: key)
                    XCTAssertEqual(reply.status, .notFound, "\(method): \(reply.text)")
                }
                let list = try await hub.request(.GET, "/v1/checkout_rules", key: key)
                XCTAssertEqual(((list["data"] as? [Any]) ?? []).count, 0)
                let evaluated = try await hub.request(
                    .POST, "/v1/checkout_rules/evaluate", json: ["amount": 100, "currency": "EUR", "user_type": "business"], key: key)
                XCTAssertTrue(evaluated["rule"] is NSNull, evaluated.text)
            }
            let theirs = try await hub.request(.POST, "/v1/checkout_rules", json: business, key: other.secretKeyTest)
            XCTAssertEqual(theirs.status, .created, "their own rule set: the same priority is free")
            XCTAssertEqual(theirs["version"] as? Int, 1)
            let live = try await hub.request(.POST, "/v1/checkout_rules", json: fallback, key: hub.merchant.secretKeyLive)
            XCTAssertEqual(live.errorCode, "rule_method_unavailable", "live mode has no account offering cards: \(live.text)")
            let still = try await hub.request(.GET, "/v1/checkout_rules/\(rule.id)")
            XCTAssertEqual(still.status, .ok)
        }
    }

    func testAClientTokenIsRefused() async throws {
        try await withEachDatabase { hub in
            let rule = try await hub.request(.POST, "/v1/checkout_rules", json: business)
            let intent = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 700, "currency": "EUR"])
            let token = try XCTUnwrap(intent["client_token"] as? String)
            let requests: [(HTTPMethod, String, [String: Any]?)] = [
                (.POST, "/v1/checkout_rules", fallback), (.GET, "/v1/checkout_rules", nil), (.GET, "/v1/checkout_rules/\(rule.id)", nil),
                (.DELETE, "/v1/checkout_rules/\(rule.id)", nil),
                (.POST, "/v1/checkout_rules/evaluate", ["amount": 700, "currency": "EUR"]),
            ]
            for (method, path, body) in requests {
                let reply = try await hub.request(method, path, json: body, key: token)
                XCTAssertEqual(reply.status, .forbidden, "\(method) \(path): \(reply.text)")
                XCTAssertEqual(reply.errorCode, "secret_key_required", "\(method) \(path)")
            }
            let publishable = try await hub.request(.GET, "/v1/checkout_rules", key: hub.merchant.publishableKeyTest)
            XCTAssertEqual(publishable.status, .forbidden)
            let list = try await hub.request(.GET, "/v1/checkout_rules")
            XCTAssertEqual(((list["data"] as? [Any]) ?? []).count, 1, "nothing changed")
        }
    }

    func testEveryChangeIsRecordedAsAnEventAndDelivered() async throws {
        try await withEachDatabase { hub in
            let endpoint = try await hub.request(
                .POST, "/v1/webhook_endpoints", json: ["url": "https://hooks.example.com/rules", "enabled_events": ["checkout_rule.*"]])
            XCTAssertEqual(endpoint.status, .created, endpoint.text)
            let rule = try await hub.request(.POST, "/v1/checkout_rules", json: business)
            hub.clock.advance(1)
            _ = try await hub.request(.DELETE, "/v1/checkout_rules/\(rule.id)")
            let refused = try await hub.request(.POST, "/v1/checkout_rules", json: ["priority": 1, "methods": [["payment_method": "cash_on_delivery"]]])
            XCTAssertEqual(refused.status, .badRequest)

            let stored = try await hub.storedEvents().filter { $0.type.hasPrefix("checkout_rule.") }
            XCTAssertEqual(stored.map(\.type), ["checkout_rule.created", "checkout_rule.deleted"])
            XCTAssertEqual(Set(stored.map(\.objectID)), [rule.id])
            let deletedData = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(stored[1].data.utf8)) as? [String: Any])
            XCTAssertEqual(deletedData["deleted_version"] as? Int, 2)
            XCTAssertEqual(deletedData["version"] as? Int, 1)

            let events = try await hub.request(.GET, "/v1/events?type=checkout_rule.created")
            let event = try XCTUnwrap((events["data"] as? [[String: Any]])?.first)
            let object = (event["data"] as? [String: Any])?["object"] as? [String: Any]
            XCTAssertEqual(object?["id"] as? String, rule.id)
            XCTAssertEqual(object?["object"] as? String, "checkout_rule")

            try await hub.deliveryWorker.runOnce()
            let bodies = hub.transport.sent.map { String(decoding: $0.body, as: UTF8.self) }
            XCTAssertEqual(bodies.count, 2)
            XCTAssertTrue(bodies.contains { $0.contains("checkout_rule.deleted") })
        }
    }

    func testARetriedCreateWithItsKeyIsAnsweredOnce() async throws {
        try await withEachDatabase { hub in
            let first = try await hub.request(.POST, "/v1/checkout_rules", json: business, headers: [("Idempotency-Key", "rule-1")])
            let again = try await hub.request(.POST, "/v1/checkout_rules", json: business, headers: [("Idempotency-Key", "rule-1")])
            XCTAssertEqual(again.id, first.id)
            XCTAssertEqual(again.headers.first(name: "Idempotent-Replayed"), "true")
            let events = try await hub.storedEvents(type: "checkout_rule.created")
            XCTAssertEqual(events.count, 1)
        }
    }
}
