import Foundation
import PayHubCore

struct CreateCheckoutRuleRequest: StrictRequest {
    var priority: Int
    var conditions: [RuleConditionInput]?
    var methods: [RuleMethodInput]

    static let shape: [String: FieldShape] = [
        "priority": .value,
        "conditions": .array(.object(["key": .value, "operator": .value, "value": .value, "currency": .value])),
        "methods": .array(.object(["payment_method": .value, "provider": .value])),
    ]

    var input: CheckoutRuleInput { CheckoutRuleInput(priority: priority, conditions: conditions ?? [], methods: methods) }
}

/// A checkout session's attributes, as the rules read them.
struct EvaluateCheckoutRulesRequest: StrictRequest {
    struct LineItem: Codable, Sendable {
        var category: String?
    }

    var amount: Int64
    var currency: String
    var userType: String?
    var channel: String?
    var country: String?
    var lineItems: [LineItem]?
    var metadata: [String: String]?

    enum CodingKeys: String, CodingKey {
        case amount, currency, channel, country, metadata
        case userType = "user_type"
        case lineItems = "line_items"
    }

    static let shape: [String: FieldShape] = [
        "amount": .value, "currency": .value, "user_type": .value, "channel": .value, "country": .value,
        "line_items": .array(.object(["category": .value])), "metadata": .metadata,
    ]
}

extension CheckoutRuleObject {
    init(_ record: CheckoutRuleRecord) {
        let written = record.rule.input
        self.init(
            id: record.id.rawValue, livemode: record.scope.livemode, priority: record.rule.priority, isDefault: record.rule.isDefault,
            conditions: written.conditions.map {
                CheckoutRuleConditionObject(key: $0.key, operator: $0.operator, value: $0.value, currency: $0.currency)
            },
            methods: written.methods.map { CheckoutRuleMethodObject(paymentMethod: $0.paymentMethod, provider: $0.provider) },
            version: record.createdVersion, deletedVersion: record.deletedVersion, created: Presenter.unix(record.createdAt))
    }
}

extension CheckoutRuleEvaluationObject {
    init(_ evaluation: CheckoutRuleService.Evaluation, livemode: Bool) {
        self.init(
            livemode: livemode, version: evaluation.version, rule: evaluation.rule.map(CheckoutRuleObject.init),
            methods: evaluation.methods.map { CheckoutRuleMethodObject(paymentMethod: $0.paymentMethod.rawValue, provider: $0.provider) })
    }
}
