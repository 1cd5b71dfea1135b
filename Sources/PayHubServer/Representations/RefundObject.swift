import Vapor

struct RefundObject: Content, Equatable {
    var id: String
    var object = "refund"
    var livemode: Bool
    var amount: Int64
    var currency: String
    var paymentIntent: String
    var status: String
    var reason: String?
    var failureReason: String?
    var provider: String
    var providerReference: String?
    var metadata: [String: String]
    var created: Int64
    var updated: Int64

    enum CodingKeys: String, CodingKey {
        case id, object, livemode, amount, currency, status, reason, provider, metadata, created, updated
        case paymentIntent = "payment_intent"
        case failureReason = "failure_reason"
        case providerReference = "provider_reference"
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(object, forKey: .object)
        try c.encode(livemode, forKey: .livemode)
        try c.encode(amount, forKey: .amount)
        try c.encode(currency, forKey: .currency)
        try c.encode(paymentIntent, forKey: .paymentIntent)
        try c.encode(status, forKey: .status)
        try c.encode(reason, forKey: .reason)
        try c.encode(failureReason, forKey: .failureReason)
        try c.encode(provider, forKey: .provider)
        try c.encode(providerReference, forKey: .providerReference)
        try c.encode(metadata, forKey: .metadata)
        try c.encode(created, forKey: .created)
        try c.encode(updated, forKey: .updated)
    }
}
