import PayHubCore
import Vapor

/// A merchant's checkout rule as the API shows it.
struct CheckoutRuleObject: Content, Equatable {
    var id: String
    var object = "checkout_rule"
    var livemode: Bool
    var priority: Int
    /// Whether it has no conditions: the rule that applies when no other does.
    var isDefault: Bool
    var conditions: [CheckoutRuleConditionObject]
    var methods: [CheckoutRuleMethodObject]
    /// The rule set's version that adding this rule made.
    var version: Int
    /// The version that deleting it made (in `checkout_rule.deleted` events only).
    @AlwaysEncoded var deletedVersion: Int?
    var created: Int64

    enum CodingKeys: String, CodingKey {
        case id, object, livemode, priority, conditions, methods, version, created
        case isDefault = "default"
        case deletedVersion = "deleted_version"
    }
}

struct CheckoutRuleConditionObject: Codable, Sendable, Equatable {
    var key: String
    var `operator`: String
    var value: RuleValue
    /// Amount conditions only.
    @AlwaysEncoded var currency: String?
}

struct CheckoutRuleMethodObject: Codable, Sendable, Equatable {
    var paymentMethod: String
    @AlwaysEncoded var provider: String?

    enum CodingKeys: String, CodingKey {
        case provider
        case paymentMethod = "payment_method"
    }
}

/// One entry of `GET /v1/payment_intents/{id}/payment_methods`: a method, its provider, and for a card typed
/// into its provider's script (Stripe.js) what the page needs to load and start it.
struct PaymentMethodOptionObject: Codable, Sendable, Equatable {
    struct CardFields: Codable, Sendable, Equatable {
        var scriptURL: String
        var publishableKey: String

        enum CodingKeys: String, CodingKey {
            case scriptURL = "script_url"
            case publishableKey = "publishable_key"
        }
    }

    var paymentMethod: String
    @AlwaysEncoded var provider: String?
    @AlwaysEncoded var cardFields: CardFields?

    enum CodingKeys: String, CodingKey {
        case provider
        case paymentMethod = "payment_method"
        case cardFields = "card_fields"
    }

    init(_ offer: IntentPaymentMethodsService.PaymentMethodOffer) {
        paymentMethod = offer.method.paymentMethod.rawValue
        provider = offer.method.provider
        cardFields = offer.cardFields.map { CardFields(scriptURL: $0.scriptURL, publishableKey: $0.publishableKey) }
    }
}

/// `DELETE /v1/checkout_rules/{id}`: the deleted rule and the rule set's new version.
struct DeletedCheckoutRuleObject: Content {
    var id: String
    var object = "checkout_rule"
    var deleted = true
    var version: Int
}

/// What `POST /v1/checkout_rules/evaluate` decides for a session: the winning rule (null when none applies and
/// there is no default rule: then every method the merchant's accounts offer) and the methods to show, in order.
struct CheckoutRuleEvaluationObject: Content {
    var object = "checkout_rule_evaluation"
    var livemode: Bool
    var version: Int
    @AlwaysEncoded var rule: CheckoutRuleObject?
    var methods: [CheckoutRuleMethodObject]
}
