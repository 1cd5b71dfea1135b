import PayHubCore
import Vapor

/// Refuses any request that carries what looks like a raw card number, wherever PayHub would read or keep it: the
/// path, the query string and the body (each decoded as PayHub decodes it: JSON escapes, percent-encoding, form
/// encoding) and the `Idempotency-Key` header. Card data never enters PayHub: it is not stored, and the request
/// is not logged with it.
struct CardDataGuardMiddleware: AsyncMiddleware {
    /// The request headers PayHub stores.
    static let storedHeaders = ["Idempotency-Key"]

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // A body that arrives in several reads is streamed, not collected: collect it first, so that it is scanned
        // (and sized) like any other.
        let limit = BodyLimit.bytes
        if request.body.data == nil {
            _ = try await request.body.collect(max: limit).get()
        } else if let length = request.body.data?.readableBytes, length > limit {
            throw Abort(.payloadTooLarge)
        }
        if Self.carriesCardNumber(request) { throw APIError.cardDataNotAllowed }
        return try await next.respond(to: request)
    }

    static func carriesCardNumber(_ request: Request) -> Bool {
        if CardDataScanner.formContainsCardNumber(request.url.path) { return true }
        if let query = request.url.query, CardDataScanner.formContainsCardNumber(query) { return true }
        for name in storedHeaders {
            for value in request.headers[name] where CardNumberDetector.containsCardNumber(value) { return true }
        }
        let body = request.bodyBytes
        guard !body.isEmpty else { return false }
        if request.headers.contentType == .urlEncodedForm {
            return CardDataScanner.formContainsCardNumber(String(decoding: body, as: UTF8.self))
        }
        return CardDataScanner.jsonContainsCardNumber(body)
    }
}

extension APIError {
    static let cardDataNotAllowed = APIError.invalid(
        "card_data_not_allowed",
        "The request carries what looks like a card number. PayHub never accepts card data: tokenise the card with the provider and send its token.")
}

/// The largest request body the API accepts (provider webhooks excepted).
enum BodyLimit {
    static let bytes = 64 * 1024
    static let providerWebhookBytes = 256 * 1024
}
