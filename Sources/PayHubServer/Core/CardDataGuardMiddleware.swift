import PayHubCore
import Vapor

/// Refuses any request whose body or query carries what looks like a raw card number. Card data never enters
/// PayHub: it is not stored, and the request is not logged with it.
struct CardDataGuardMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // A body that arrives in several reads is streamed, not collected: collect it first, so that it is scanned
        // (and sized) like any other. Provider webhooks may be larger.
        let limit = request.url.path.hasPrefix("/v1/providers/") ? BodyLimit.providerWebhookBytes : BodyLimit.bytes
        if request.body.data == nil {
            _ = try await request.body.collect(max: limit).get()
        } else if let length = request.body.data?.readableBytes, length > limit {
            throw Abort(.payloadTooLarge)
        }
        let query = request.url.query?.removingPercentEncoding ?? request.url.query ?? ""
        let body = String(decoding: request.bodyBytes, as: UTF8.self)
        if CardNumberDetector.containsCardNumber(query) || CardNumberDetector.containsCardNumber(body)
            || CardNumberDetector.containsCardNumber(request.url.path) {
            throw APIError.invalid(
                "card_data_not_allowed",
                "The request carries what looks like a card number. PayHub never accepts card data: tokenise the card with the provider and send its token.")
        }
        return try await next.respond(to: request)
    }
}

/// The largest request body the API accepts (provider webhooks excepted).
enum BodyLimit {
    static let bytes = 64 * 1024
    static let providerWebhookBytes = 256 * 1024
}
