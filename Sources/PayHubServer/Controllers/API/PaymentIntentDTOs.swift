import Foundation

struct CreatePaymentIntentRequest: StrictRequest {
    typealias Customer = CustomerObject

    /// The customer's fields, as every request that takes a customer accepts them.
    static let customerShape: [String: FieldShape] = [
        "name": .value, "email": .value, "phone": .value, "locale": .value, "address": AddressObject.shape, "tax_id": .value,
    ]

    var amount: Int64
    var currency: String
    var captureMethod: String?
    var customerReference: String?
    var purchaseReference: String?
    var description: String?
    var metadata: [String: String]?
    var customer: Customer?

    enum CodingKeys: String, CodingKey {
        case amount, currency, description, metadata, customer
        case captureMethod = "capture_method"
        case customerReference = "customer_reference"
        case purchaseReference = "purchase_reference"
    }

    static let shape: [String: FieldShape] = [
        "amount": .value, "currency": .value, "capture_method": .value, "customer_reference": .value,
        "purchase_reference": .value, "description": .value, "metadata": .metadata,
        "customer": .object(customerShape),
    ]
}

struct PaymentMethodInput: Codable, Sendable {
    var type: String
    var token: String?
    var msisdn: String?
    var country: String?
    var network: String?
    var otp: String?
}

struct AttemptPaymentRequest: StrictRequest {
    var provider: String?
    var paymentMethod: PaymentMethodInput
    var returnURL: String?

    enum CodingKeys: String, CodingKey {
        case provider
        case paymentMethod = "payment_method"
        case returnURL = "return_url"
    }

    static let shape: [String: FieldShape] = [
        "provider": .value, "return_url": .value,
        "payment_method": .object([
            "type": .value, "token": .value, "msisdn": .value, "country": .value, "network": .value, "otp": .value,
        ]),
    ]
}

struct AuthenticateAttemptRequest: StrictRequest {
    var otp: String
    static let shape: [String: FieldShape] = ["otp": .value]
}

struct CapturePaymentIntentRequest: StrictRequest {
    var amount: Int64?
    static let shape: [String: FieldShape] = ["amount": .value]
}

struct CancelPaymentIntentRequest: StrictRequest {
    var cancellationReason: String?
    enum CodingKeys: String, CodingKey { case cancellationReason = "cancellation_reason" }
    static let shape: [String: FieldShape] = ["cancellation_reason": .value]
}

struct EmptyRequest: StrictRequest {
    static let shape: [String: FieldShape] = [:]
}

struct CreateRefundRequest: StrictRequest {
    var paymentIntent: String
    var amount: Int64?
    var reason: String?
    var metadata: [String: String]?

    enum CodingKeys: String, CodingKey {
        case amount, reason, metadata
        case paymentIntent = "payment_intent"
    }

    static let shape: [String: FieldShape] = [
        "payment_intent": .value, "amount": .value, "reason": .value, "metadata": .metadata,
    ]
}
