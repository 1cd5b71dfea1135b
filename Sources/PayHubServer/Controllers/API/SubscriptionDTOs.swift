import Foundation

/// `POST /v1/subscriptions`: the plan (an amount or line items, an interval), the customer, the expiration, how it
/// renews, the checkout rules' attributes for its first payment's session.
struct CreateSubscriptionRequest: StrictRequest {
    struct Customer: Codable, Sendable {
        var name: String?
        var email: String?
        var phone: String?
        var locale: String?
        var address: AddressObject?
        var taxID: String?
        var customerReference: String?

        enum CodingKeys: String, CodingKey {
            case name, email, phone, locale, address
            case taxID = "tax_id"
            case customerReference = "customer_reference"
        }

        var details: CreatePaymentIntentRequest.Customer {
            CreatePaymentIntentRequest.Customer(name: name, email: email, phone: phone, locale: locale, address: address, taxID: taxID)
        }
    }

    var customer: Customer?
    var amount: Int64?
    var currency: String
    var lineItems: [CreateCheckoutSessionRequest.LineItem]?
    var description: String?
    var interval: String
    var intervalCount: Int?
    var trialDays: Int?
    var startDate: Int64?
    var endDate: Int64?
    var maxRenewals: Int?
    var renewal: String?
    var dunningEnd: String?
    var successURL: String?
    var cancelURL: String?
    var userType: String?
    var channel: String?
    var country: String?
    var metadata: [String: String]?
    var testClock: String?

    enum CodingKeys: String, CodingKey {
        case customer, amount, currency, description, interval, renewal, metadata, channel, country
        case lineItems = "line_items"
        case intervalCount = "interval_count"
        case trialDays = "trial_days"
        case startDate = "start_date"
        case endDate = "end_date"
        case maxRenewals = "max_renewals"
        case dunningEnd = "dunning_end"
        case successURL = "success_url"
        case cancelURL = "cancel_url"
        case userType = "user_type"
        case testClock = "test_clock"
    }

    static let shape: [String: FieldShape] = [
        "customer": .object(CreatePaymentIntentRequest.customerShape.merging(["customer_reference": .value]) { $1 }),
        "amount": .value, "currency": .value, "line_items": CreateCheckoutSessionRequest.shape["line_items"]!, "description": .value,
        "interval": .value, "interval_count": .value, "trial_days": .value, "start_date": .value, "end_date": .value,
        "max_renewals": .value, "renewal": .value, "dunning_end": .value, "success_url": .value, "cancel_url": .value,
        "user_type": .value, "channel": .value, "country": .value, "metadata": .metadata, "test_clock": .value,
    ]
}

/// `POST /v1/subscriptions/{id}`: a new amount or interval, from the next renewal on; metadata at once.
struct UpdateSubscriptionRequest: StrictRequest {
    var amount: Int64?
    var interval: String?
    var intervalCount: Int?
    var metadata: [String: String]?

    enum CodingKeys: String, CodingKey {
        case amount, interval, metadata
        case intervalCount = "interval_count"
    }

    static let shape: [String: FieldShape] = ["amount": .value, "interval": .value, "interval_count": .value, "metadata": .metadata]
}

/// `POST /v1/subscriptions/{id}/cancel`: at the end of the period (the default) or now.
struct CancelSubscriptionRequest: StrictRequest {
    var atPeriodEnd: Bool?

    enum CodingKeys: String, CodingKey { case atPeriodEnd = "at_period_end" }

    static let shape: [String: FieldShape] = ["at_period_end": .value]
}

/// `POST /v1/test_clocks`.
struct CreateTestClockRequest: StrictRequest {
    var frozenTime: Int64
    var name: String?

    enum CodingKeys: String, CodingKey {
        case name
        case frozenTime = "frozen_time"
    }

    static let shape: [String: FieldShape] = ["frozen_time": .value, "name": .value]
}

/// `POST /v1/test_clocks/{id}/advance`.
struct AdvanceTestClockRequest: StrictRequest {
    var frozenTime: Int64

    enum CodingKeys: String, CodingKey { case frozenTime = "frozen_time" }

    static let shape: [String: FieldShape] = ["frozen_time": .value]
}
