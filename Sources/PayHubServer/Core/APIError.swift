import PayHubConnectors
import PayHubCore
import Vapor

/// An error as the API reports it: `{"error": {"type", "code", "message", "param"}}` with its HTTP status.
struct APIError: AbortError, Sendable {
    enum Kind: String, Sendable {
        case invalidRequest = "invalid_request_error"
        case card = "card_error"
        case idempotency = "idempotency_error"
        case api = "api_error"
        case authentication = "authentication_error"
        case permission = "permission_error"
        case rateLimit = "rate_limit_error"
    }

    var status: HTTPResponseStatus
    var kind: Kind
    var code: String
    var message: String
    var param: String?
    var declineCode: String?
    /// The payment intent a failed attempt left behind, embedded as Stripe does.
    var paymentIntent: PaymentIntentObject?
    var retryAfter: Int?
    /// For 405: the methods the path does accept.
    var allow: [String]?

    var reason: String { message }
    var headers: HTTPHeaders {
        var headers: HTTPHeaders = ["Content-Type": "application/json; charset=utf-8"]
        if let retryAfter { headers.replaceOrAdd(name: .retryAfter, value: String(retryAfter)) }
        if let allow { headers.replaceOrAdd(name: .allow, value: allow.joined(separator: ", ")) }
        return headers
    }

    static func invalid(_ code: String, _ message: String, param: String? = nil) -> APIError {
        APIError(status: .badRequest, kind: .invalidRequest, code: code, message: message, param: param)
    }

    static func notFound(_ what: String, id: String, param: String = "id") -> APIError {
        APIError(status: .notFound, kind: .invalidRequest, code: "resource_missing", message: "No such \(what): '\(id)'", param: param)
    }

    static func conflict(_ code: String, _ message: String) -> APIError {
        APIError(status: .conflict, kind: .invalidRequest, code: code, message: message)
    }

    static let unauthenticated = APIError(
        status: .unauthorized, kind: .authentication, code: "api_key_invalid",
        message: "Invalid or missing API key. Send 'Authorization: Bearer sk_test_...'.")

    /// A service's refusal, as the API reports it. The intent a failed payment left behind is embedded by the
    /// handler that knows it (`paymentIntent`).
    static func from(_ error: ServiceError) -> APIError {
        let (status, kind): (HTTPResponseStatus, Kind) = switch error.kind {
        case .invalidInput: (.badRequest, .invalidRequest)
        case .notFound: (.notFound, .invalidRequest)
        case .conflict: (.conflict, .invalidRequest)
        case .forbidden: (.forbidden, .permission)
        case .unauthenticated: (.unauthorized, .authentication)
        case .idempotencyKeyInUse: (.conflict, .idempotency)
        case .declined: (.paymentRequired, .card)
        case .providerFailed: (.badGateway, .api)
        case .rateLimited: (.tooManyRequests, .rateLimit)
        }
        return APIError(
            status: status, kind: kind, code: error.code, message: error.message, param: error.param,
            declineCode: error.declineCode, retryAfter: error.retryAfter)
    }

    static func from(_ violation: PaymentRuleViolation) -> APIError {
        let status: HTTPResponseStatus = switch violation {
        case .unexpectedState, .attemptInProgress, .attemptNotActive, .refundNotPending, .outcomeUnknown: .conflict
        default: .badRequest
        }
        return APIError(status: status, kind: .invalidRequest, code: violation.code, message: violation.description, param: violation.param)
    }

    static func from(_ error: MoneyError, param: String) -> APIError {
        switch error {
        case .unknownCurrency: invalid("currency_invalid", error.description, param: "currency")
        default: invalid("amount_invalid", error.description, param: param)
        }
    }

    static func from(_ error: ConnectorError) -> APIError {
        switch error {
        case .invalidRequest(let code, let message, let param):
            invalid(code, message, param: param)
        case .unsupported(let what):
            invalid("provider_operation_unsupported", "The provider does not support \(what).")
        case .invalidCredentials:
            APIError(status: .badGateway, kind: .api, code: "provider_credentials_invalid",
                     message: "The provider refused this account's credentials; check the provider account.")
        case .unavailable, .invalidResponse:
            APIError(status: .badGateway, kind: .api, code: "provider_unavailable",
                     message: "The provider could not be reached or answered unexpectedly; the outcome will be checked again.")
        case .signatureInvalid:
            invalid("signature_invalid", "The webhook signature could not be verified.")
        }
    }
}

/// The JSON body of an error.
struct APIErrorBody: Content {
    struct Detail: Codable, Sendable {
        var type: String
        var code: String
        var message: String
        @AlwaysEncoded var param: String?
        var declineCode: String?
        var paymentIntent: PaymentIntentObject?

        enum CodingKeys: String, CodingKey {
            case type, code, message, param
            case declineCode = "decline_code"
            case paymentIntent = "payment_intent"
        }
    }

    var error: Detail

    init(_ error: APIError) {
        self.error = Detail(
            type: error.kind.rawValue, code: error.code, message: error.message, param: error.param,
            declineCode: error.declineCode, paymentIntent: error.paymentIntent)
    }
}
