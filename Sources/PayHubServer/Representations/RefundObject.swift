import Vapor

struct RefundObject: Content, Equatable {
    var id: String
    var object = "refund"
    var livemode: Bool
    var amount: Int64
    var currency: String
    var paymentIntent: String
    var status: String
    @AlwaysEncoded var reason: String?
    @AlwaysEncoded var failureReason: String?
    var provider: String
    @AlwaysEncoded var providerReference: String?
    var metadata: [String: String]
    var created: Int64
    var updated: Int64

    enum CodingKeys: String, CodingKey {
        case id, object, livemode, amount, currency, status, reason, provider, metadata, created, updated
        case paymentIntent = "payment_intent"
        case failureReason = "failure_reason"
        case providerReference = "provider_reference"
    }
}
