import Foundation

/// `POST /v1/payment_links`: the order has the shape of a checkout session's (amount or line items, customer).
struct CreatePaymentLinkRequest: StrictRequest {
    var amount: Int64?
    var currency: String
    var lineItems: [CreateCheckoutSessionRequest.LineItem]?
    var description: String?
    var customer: CreatePaymentIntentRequest.Customer?
    var expiresAt: Int64?
    var reusable: Bool?
    var maxPayments: Int?
    var send: String?
    var successURL: String?
    var metadata: [String: String]?
    var userType: String?
    var channel: String?
    var country: String?

    enum CodingKeys: String, CodingKey {
        case amount, currency, description, customer, reusable, send, metadata, channel, country
        case lineItems = "line_items"
        case expiresAt = "expires_at"
        case maxPayments = "max_payments"
        case successURL = "success_url"
        case userType = "user_type"
    }

    /// The order as a checkout session's request, which its checks read.
    var order: CreateCheckoutSessionRequest {
        CreateCheckoutSessionRequest(amount: amount, currency: currency, lineItems: lineItems, customer: customer)
    }

    static let shape: [String: FieldShape] = {
        var shape: [String: FieldShape] = [
            "description": .value, "expires_at": .value, "reusable": .value, "max_payments": .value, "send": .value,
            "success_url": .value, "metadata": .metadata, "user_type": .value, "channel": .value, "country": .value,
        ]
        for field in ["amount", "currency", "line_items", "customer"] { shape[field] = CreateCheckoutSessionRequest.shape[field] }
        return shape
    }()
}

/// `POST /v1/payment_links/{id}/send`.
struct SendPaymentLinkRequest: StrictRequest {
    var channel: String?

    static let shape: [String: FieldShape] = ["channel": .value]
}
