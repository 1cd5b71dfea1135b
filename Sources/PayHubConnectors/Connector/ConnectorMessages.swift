import Foundation
import PayHubCore

/// A payment method as the client described it. Never a raw card number: cards arrive as provider tokens.
public struct PaymentMethodData: Sendable, Equatable {
    public var type: String
    /// A provider's token or payment method id (`tok_visa`, `pm_...`).
    public var token: String?
    /// Mobile money: the payer's phone number and country.
    public var msisdn: String?
    public var country: String?
    /// Mobile money operator or wallet name, when the method needs one.
    public var network: String?
    public var otp: String?

    public init(
        type: String, token: String? = nil, msisdn: String? = nil, country: String? = nil,
        network: String? = nil, otp: String? = nil
    ) {
        self.type = type
        self.token = token
        self.msisdn = msisdn
        self.country = country
        self.network = network
        self.otp = otp
    }
}

public struct CustomerDetails: Sendable, Equatable {
    public var name: String?
    public var email: String?
    public var phone: String?
    public var locale: String?
    /// The billing address, which invoices and e-invoices show.
    public var address: PostalAddress?
    /// The customer's tax number (a VAT id with its country prefix, or a national code such as the codice fiscale).
    public var taxID: String?

    public init(
        name: String? = nil, email: String? = nil, phone: String? = nil, locale: String? = nil, address: PostalAddress? = nil,
        taxID: String? = nil
    ) {
        self.address = address
        self.taxID = taxID
        self.name = name
        self.email = email
        self.phone = phone
        self.locale = locale
    }
}

/// Everything a provider is told about a payment. Built in one place (`ProviderRequests`) from what PayHub
/// stored, so a retry under the same idempotency key sends exactly what the first call sent.
public struct ConnectorPaymentRequest: Sendable, Equatable {
    public var attemptID: PaymentAttemptID
    public var paymentIntentID: PaymentIntentID
    public var amount: Money
    public var captureMethod: CaptureMethod
    public var method: PaymentMethodData
    public var returnURL: String?
    public var description: String?
    public var customer: CustomerDetails?
    /// Used as the provider's idempotency key, so a retried call never pays twice.
    public var idempotencyKey: String
    /// Save the method for later payments without the customer (a subscription's first payment); the result's
    /// `savedMethod` then says what was saved.
    public var saveForOffSession: Bool
    /// Charge this saved method without the customer present (a renewal); `method` then only names its type.
    public var offSessionMethod: SavedPaymentMethod?

    public init(
        attemptID: PaymentAttemptID, paymentIntentID: PaymentIntentID, amount: Money, captureMethod: CaptureMethod,
        method: PaymentMethodData, returnURL: String?, description: String?, customer: CustomerDetails?,
        idempotencyKey: String, saveForOffSession: Bool = false, offSessionMethod: SavedPaymentMethod? = nil
    ) {
        self.saveForOffSession = saveForOffSession
        self.offSessionMethod = offSessionMethod
        self.attemptID = attemptID
        self.paymentIntentID = paymentIntentID
        self.amount = amount
        self.captureMethod = captureMethod
        self.method = method
        self.returnURL = returnURL
        self.description = description
        self.customer = customer
        self.idempotencyKey = idempotencyKey
    }
}

public struct ConnectorPaymentResult: Sendable, Equatable {
    public var providerReference: String?
    public var outcome: ProviderOutcome
    /// What the provider says it captured and may still capture; unknown when it does not say.
    public var amounts: ProviderAmounts
    /// The method the provider saved, when the request asked for `saveForOffSession` and the payment succeeded.
    public var savedMethod: SavedPaymentMethod?

    public init(providerReference: String?, outcome: ProviderOutcome, amounts: ProviderAmounts = .unknown, savedMethod: SavedPaymentMethod? = nil) {
        self.savedMethod = savedMethod
        self.providerReference = providerReference
        self.outcome = outcome
        self.amounts = amounts
    }
}

public struct ConnectorRefundRequest: Sendable, Equatable {
    public var refundID: RefundID
    /// The provider's reference of the payment being refunded.
    public var paymentReference: String
    public var amount: Money
    public var reason: RefundReason?
    public var idempotencyKey: String

    public init(refundID: RefundID, paymentReference: String, amount: Money, reason: RefundReason?, idempotencyKey: String) {
        self.refundID = refundID
        self.paymentReference = paymentReference
        self.amount = amount
        self.reason = reason
        self.idempotencyKey = idempotencyKey
    }
}

public struct ConnectorRefundResult: Sendable, Equatable {
    public var providerReference: String?
    public var outcome: RefundOutcome

    public init(providerReference: String?, outcome: RefundOutcome) {
        self.providerReference = providerReference
        self.outcome = outcome
    }
}

/// A request a provider sent to `/v1/providers/{provider}/webhooks/{account}`, exactly as received.
public struct IncomingWebhook: Sendable {
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(headers: [String: String], body: [UInt8]) {
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        self.body = body
    }
}

/// What a verified provider webhook says.
public enum ProviderWebhookEvent: Sendable, Equatable {
    case payment(reference: String, result: ConnectorPaymentResult)
    case refund(reference: String, result: ConnectorRefundResult)
    /// A provider-run subscription changed or renewed (`SubscriptionConnector`).
    case subscription(reference: String, result: ConnectorSubscriptionResult)
    /// A verified event PayHub has no use for.
    case ignored(type: String)
}

public enum ConnectorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The provider refused the request's content (not a decline): maps to 400.
    case invalidRequest(code: String, message: String, param: String?)
    /// The provider does not offer this operation.
    case unsupported(String)
    case invalidCredentials(String)
    /// Network failure, timeout or a 5xx: the outcome is unknown, a retry or a status check may resolve it.
    case unavailable(String)
    /// The provider answered something PayHub cannot read.
    case invalidResponse(String)
    case signatureInvalid(String)

    public var description: String {
        switch self {
        case .invalidRequest(let code, let message, _): "\(code): \(message)"
        case .unsupported(let what): "unsupported: \(what)"
        case .invalidCredentials(let why): "invalid provider credentials: \(why)"
        case .unavailable(let why): "provider unavailable: \(why)"
        case .invalidResponse(let why): "unexpected provider response: \(why)"
        case .signatureInvalid(let why): "webhook signature invalid: \(why)"
        }
    }
}

extension ConnectorError {
    /// Network trouble: the same call may work later.
    public var isTransient: Bool {
        if case .unavailable = self { return true }
        return false
    }
}
