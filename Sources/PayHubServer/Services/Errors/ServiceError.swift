import PayHubConnectors
import PayHubCore

/// What a service refuses, in the domain's words. Services throw it (or a `PaymentRuleViolation`, `MoneyError` or
/// `ConnectorError`); the API maps it to its error object and status (`APIError.from(_:)`), pages to HTML.
struct ServiceError: Error, Equatable, Sendable, CustomStringConvertible {
    enum Kind: Sendable, Equatable {
        /// The caller's input breaks a rule: the same request can never succeed.
        case invalidInput
        /// No such object for this caller: another tenant's objects are missing too.
        case notFound
        /// The object's state does not allow it now.
        case conflict
        /// The caller is known but may not do this.
        case forbidden
        /// The caller is not known.
        case unauthenticated
        /// The same `Idempotency-Key` is still being served.
        case idempotencyKeyInUse
        /// The payment was declined: the customer may try another way.
        case declined
        /// A provider (or a page's provider) could not be used; the outcome is checked later.
        case providerFailed
        /// Too many requests; `retryAfter` says when to try again.
        case rateLimited
    }

    var kind: Kind
    var code: String
    var message: String
    var param: String?
    var declineCode: String?
    var retryAfter: Int?
    /// The payment intent a failed attempt left behind, which the API embeds in its error as Stripe does.
    var paymentIntentID: String?

    var description: String { "\(code): \(message)" }

    static func invalid(_ code: String, _ message: String, param: String? = nil) -> ServiceError {
        ServiceError(kind: .invalidInput, code: code, message: message, param: param)
    }

    static func notFound(_ what: String, id: String, param: String = "id") -> ServiceError {
        ServiceError(kind: .notFound, code: "resource_missing", message: "No such \(what): '\(id)'", param: param)
    }

    static func conflict(_ code: String, _ message: String) -> ServiceError {
        ServiceError(kind: .conflict, code: code, message: message)
    }

    static func forbidden(_ code: String, _ message: String) -> ServiceError {
        ServiceError(kind: .forbidden, code: code, message: message)
    }

    static let secretKeyRequired = forbidden(
        "secret_key_required", "This operation needs the secret key; a client token cannot perform it.")

    static let unauthenticated = ServiceError(
        kind: .unauthenticated, code: "api_key_invalid",
        message: "Invalid or missing API key. Send 'Authorization: Bearer sk_test_...'.")

    static let idempotencyKeyInUse = ServiceError(
        kind: .idempotencyKeyInUse, code: "idempotency_key_in_use",
        message: "A request with this Idempotency-Key is still being processed; retry shortly.")

    /// A failed attempt, as the caller learns it.
    static func paymentFailed(_ failure: PaymentFailure, paymentIntentID: String) -> ServiceError {
        switch failure.kind {
        case .cardError:
            ServiceError(kind: .declined, code: failure.code, message: failure.message,
                         declineCode: failure.declineCode, paymentIntentID: paymentIntentID)
        case .invalidRequestError:
            ServiceError(kind: .invalidInput, code: failure.code, message: failure.message,
                         param: "payment_method", paymentIntentID: paymentIntentID)
        case .apiError:
            ServiceError(kind: .providerFailed, code: failure.code, message: failure.message, paymentIntentID: paymentIntentID)
        }
    }

    static func from(_ error: MoneyError, param: String) -> ServiceError {
        switch error {
        case .unknownCurrency: invalid("currency_invalid", error.description, param: "currency")
        default: invalid("amount_invalid", error.description, param: param)
        }
    }
}
