import Foundation

/// A card decline or failed authentication Stripe answered with: an outcome of the attempt, not a failed call.
struct StripeCardDecline: Error, Sendable {
    var error: StripeErrorObject
}

enum StripeErrorMapping {
    /// What a non-2xx answer means: a `StripeCardDecline`, or the `ConnectorError` to throw.
    static func error(status: Int, body: [UInt8]) -> any Error {
        let stripeError = try? JSONDecoder().decode(StripeErrorEnvelope.self, from: Data(body)).error
        let detail = [stripeError?.type, stripeError?.code].compactMap { $0 }.joined(separator: "/")
        let suffix = detail.isEmpty ? "" : " (\(detail))"

        switch status {
        case 500...:
            return ConnectorError.unavailable("Stripe answered HTTP \(status)\(suffix)")
        case 429:
            return ConnectorError.unavailable("Stripe rate-limited the request\(suffix)")
        case 409:
            // Another request with the same idempotency key is still running: safe to retry.
            return ConnectorError.unavailable("Stripe reported a conflicting concurrent request\(suffix)")
        case 401:
            return ConnectorError.invalidCredentials("Stripe did not accept the secret key")
        case 403:
            return ConnectorError.invalidCredentials("the Stripe key is not allowed to do this\(suffix)")
        default:
            break
        }
        if status == 402 || stripeError?.type == "card_error" {
            return StripeCardDecline(error: stripeError ?? StripeErrorObject(type: "card_error", code: "card_declined"))
        }
        return ConnectorError.invalidRequest(
            code: stripeError?.code ?? stripeError?.type ?? "http_\(status)",
            message: stripeError?.message ?? "Stripe refused the request (HTTP \(status)).",
            param: stripeError?.param)
    }
}
