import PayHubConnectors
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
    @AlwaysEncoded var customerReference: String?
    @AlwaysEncoded var purchaseReference: String?
    @AlwaysEncoded var description: String?
    var metadata: [String: String]
    @AlwaysEncoded var customer: CustomerObject?
    @AlwaysEncoded var lastPaymentError: PaymentErrorObject?
    @AlwaysEncoded var cancellationReason: String?
    @AlwaysEncoded var nextAction: NextActionObject?
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
}

/// The customer as the API shows it and PayHub stores it (JSON): `CustomerDetails` in the API's names.
struct CustomerObject: Codable, Equatable, Sendable {
    var name: String?
    var email: String?
    var phone: String?
    var locale: String?
    var address: AddressObject?
    var taxID: String?

    enum CodingKeys: String, CodingKey {
        case name, email, phone, locale, address
        case taxID = "tax_id"
    }

    init(name: String? = nil, email: String? = nil, phone: String? = nil, locale: String? = nil, address: AddressObject? = nil, taxID: String? = nil) {
        self.name = name
        self.email = email
        self.phone = phone
        self.locale = locale
        self.address = address
        self.taxID = taxID
    }

    init(_ details: CustomerDetails) {
        self.init(
            name: details.name, email: details.email, phone: details.phone, locale: details.locale,
            address: details.address.map(AddressObject.init), taxID: details.taxID)
    }

    var details: CustomerDetails {
        CustomerDetails(name: name, email: email, phone: phone, locale: locale, address: address?.postalAddress, taxID: taxID)
    }
}

/// A postal address in Stripe's names: `line1`, `line2`, `city`, `postal_code`, `state`, `country` (ISO 3166-1 alpha-2).
struct AddressObject: Codable, Equatable, Sendable {
    var line1: String?
    var line2: String?
    var city: String?
    var postalCode: String?
    var state: String?
    var country: String

    enum CodingKeys: String, CodingKey {
        case line1, line2, city, state, country
        case postalCode = "postal_code"
    }

    static let shape: FieldShape = .object([
        "line1": .value, "line2": .value, "city": .value, "postal_code": .value, "state": .value, "country": .value,
    ])

    init(line1: String?, line2: String?, city: String?, postalCode: String?, state: String?, country: String) {
        self.line1 = line1
        self.line2 = line2
        self.city = city
        self.postalCode = postalCode
        self.state = state
        self.country = country
    }

    init(_ address: PostalAddress) {
        self.init(
            line1: address.lines.first, line2: address.lines.count > 1 ? address.lines.dropFirst().joined(separator: ", ") : nil,
            city: address.city.isEmpty ? nil : address.city, postalCode: address.postalCode, state: address.region,
            country: address.countryCode)
    }

    var postalAddress: PostalAddress {
        PostalAddress(lines: [line1, line2].compactMap { $0 }, city: city ?? "", postalCode: postalCode, region: state, countryCode: country)
    }
}

struct PaymentErrorObject: Codable, Equatable, Sendable {
    var type: String
    var code: String
    @AlwaysEncoded var declineCode: String?
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
    var displayBankTransferInstructions: BankTransferInstructions?

    enum CodingKeys: String, CodingKey {
        case type, otp, ussd
        case redirectToURL = "redirect_to_url"
        case displayQRCode = "display_qr_code"
        case displayBankTransferInstructions = "display_bank_transfer_instructions"
    }

    init(_ action: NextAction) {
        type = action.type
        switch action {
        case .redirectToURL(let url, let returnURL): redirectToURL = Redirect(url: url, returnURL: returnURL)
        case .otp(let message): otp = Message(message: message)
        case .ussd(let message): ussd = Message(message: message)
        case .displayQRCode(let data): displayQRCode = QRCode(data: data)
        case .displayBankTransferInstructions(let instructions): displayBankTransferInstructions = instructions
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
    @AlwaysEncoded var providerReference: String?
    @AlwaysEncoded var nextAction: NextActionObject?
    @AlwaysEncoded var failure: PaymentErrorObject?
    @AlwaysEncoded var returnURL: String?
    @AlwaysEncoded var amountReceived: Int64?
    @AlwaysEncoded var lateSuccessReversal: LateSuccessReversalObject?
    var created: Int64

    enum CodingKeys: String, CodingKey {
        case id, object, provider, status, failure, created
        case amountReceived = "amount_received"
        case lateSuccessReversal = "late_success_reversal"
        case providerAccount = "provider_account"
        case paymentMethod = "payment_method"
        case providerReference = "provider_reference"
        case nextAction = "next_action"
        case returnURL = "return_url"
    }
}

/// How giving back a late success stands.
struct LateSuccessReversalObject: Codable, Equatable, Sendable {
    var status: String
    @AlwaysEncoded var reason: String?

    init(_ reversal: LateSuccessReversal) {
        switch reversal {
        case .pending: (status, reason) = ("pending", nil)
        case .voided: (status, reason) = ("voided", nil)
        case .refunded: (status, reason) = ("refunded", nil)
        case .failed(let why): (status, reason) = ("failed", why)
        }
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
