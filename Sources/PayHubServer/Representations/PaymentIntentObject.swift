import Foundation
import PayHubCore
import Vapor

/// A payment intent as the API and its events show it.
struct PaymentIntentObject: Content, Equatable {
    var id: String
    var object = "payment_intent"
    var livemode: Bool
    var status: String
    var amount: Int64
    var currency: String
    var amountCapturable: Int64
    var amountReceived: Int64
    var amountRefunded: Int64
    var captureMethod: String
    var customerReference: String?
    var purchaseReference: String?
    var description: String?
    var metadata: [String: String]
    var customer: CustomerObject?
    var lastPaymentError: PaymentErrorObject?
    var cancellationReason: String?
    var nextAction: NextActionObject?
    var payments: [PaymentAttemptObject]
    /// Only in the response that created the intent: a short-lived token for the customer's browser or app.
    var clientToken: String?
    var created: Int64
    var updated: Int64

    enum CodingKeys: String, CodingKey {
        case id, object, livemode, status, amount, currency, description, metadata, customer, payments, created, updated
        case amountCapturable = "amount_capturable"
        case amountReceived = "amount_received"
        case amountRefunded = "amount_refunded"
        case captureMethod = "capture_method"
        case customerReference = "customer_reference"
        case purchaseReference = "purchase_reference"
        case lastPaymentError = "last_payment_error"
        case cancellationReason = "cancellation_reason"
        case nextAction = "next_action"
        case clientToken = "client_token"
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(object, forKey: .object)
        try c.encode(livemode, forKey: .livemode)
        try c.encode(status, forKey: .status)
        try c.encode(amount, forKey: .amount)
        try c.encode(currency, forKey: .currency)
        try c.encode(amountCapturable, forKey: .amountCapturable)
        try c.encode(amountReceived, forKey: .amountReceived)
        try c.encode(amountRefunded, forKey: .amountRefunded)
        try c.encode(captureMethod, forKey: .captureMethod)
        try c.encode(customerReference, forKey: .customerReference)
        try c.encode(purchaseReference, forKey: .purchaseReference)
        try c.encode(description, forKey: .description)
        try c.encode(metadata, forKey: .metadata)
        try c.encode(customer, forKey: .customer)
        try c.encode(lastPaymentError, forKey: .lastPaymentError)
        try c.encode(cancellationReason, forKey: .cancellationReason)
        try c.encode(nextAction, forKey: .nextAction)
        try c.encode(payments, forKey: .payments)
        try c.encodeIfPresent(clientToken, forKey: .clientToken)
        try c.encode(created, forKey: .created)
        try c.encode(updated, forKey: .updated)
    }
}

struct CustomerObject: Codable, Equatable, Sendable {
    var name: String?
    var email: String?
    var phone: String?
    var locale: String?
}

struct PaymentErrorObject: Codable, Equatable, Sendable {
    var type: String
    var code: String
    var declineCode: String?
    var message: String

    enum CodingKeys: String, CodingKey {
        case type, code, message
        case declineCode = "decline_code"
    }

    init(_ failure: PaymentFailure) {
        type = failure.kind.rawValue
        code = failure.code
        declineCode = failure.declineCode
        message = failure.message
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encode(code, forKey: .code)
        try c.encode(declineCode, forKey: .declineCode)
        try c.encode(message, forKey: .message)
    }
}

/// `{"type": "redirect_to_url", "redirect_to_url": {"url", "return_url"}}`, `{"type": "otp", "otp": {"message"}}`, ...
struct NextActionObject: Codable, Equatable, Sendable {
    struct Redirect: Codable, Equatable, Sendable {
        var url: String
        var returnURL: String?
        enum CodingKeys: String, CodingKey {
            case url
            case returnURL = "return_url"
        }
    }

    struct Message: Codable, Equatable, Sendable {
        var message: String
    }

    struct QRCode: Codable, Equatable, Sendable {
        var data: String
    }

    var type: String
    var redirectToURL: Redirect?
    var otp: Message?
    var ussd: Message?
    var displayQRCode: QRCode?

    enum CodingKeys: String, CodingKey {
        case type, otp, ussd
        case redirectToURL = "redirect_to_url"
        case displayQRCode = "display_qr_code"
    }

    init(_ action: NextAction) {
        type = action.type
        switch action {
        case .redirectToURL(let url, let returnURL): redirectToURL = Redirect(url: url, returnURL: returnURL)
        case .otp(let message): otp = Message(message: message)
        case .ussd(let message): ussd = Message(message: message)
        case .displayQRCode(let data): displayQRCode = QRCode(data: data)
        }
    }
}

/// One payment attempt on an intent.
struct PaymentAttemptObject: Codable, Equatable, Sendable {
    var id: String
    var object = "payment"
    var provider: String
    var providerAccount: String
    var paymentMethod: PaymentMethodObject
    var status: String
    var providerReference: String?
    var nextAction: NextActionObject?
    var failure: PaymentErrorObject?
    var returnURL: String?
    var created: Int64

    enum CodingKeys: String, CodingKey {
        case id, object, provider, status, failure, created
        case providerAccount = "provider_account"
        case paymentMethod = "payment_method"
        case providerReference = "provider_reference"
        case nextAction = "next_action"
        case returnURL = "return_url"
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(object, forKey: .object)
        try c.encode(provider, forKey: .provider)
        try c.encode(providerAccount, forKey: .providerAccount)
        try c.encode(paymentMethod, forKey: .paymentMethod)
        try c.encode(status, forKey: .status)
        try c.encode(providerReference, forKey: .providerReference)
        try c.encode(nextAction, forKey: .nextAction)
        try c.encode(failure, forKey: .failure)
        try c.encode(returnURL, forKey: .returnURL)
        try c.encode(created, forKey: .created)
    }
}

/// The payment method an attempt used, as stored: provider tokens and phone numbers, never card data.
struct PaymentMethodObject: Codable, Equatable, Sendable {
    var type: String
    var token: String?
    var msisdn: String?
    var country: String?
    var network: String?
}
