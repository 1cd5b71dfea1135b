import PayHubCore
import Vapor

/// Customer-facing pages answer an error with an HTML page in the checkout's style, not the API's JSON: the same
/// status, and a sentence in the visitor's language (`Accept-Language`) that tells nothing internal. The
/// reference is the request id, which the logs carry.
struct PageErrorMiddleware: AsyncMiddleware {
    struct Page: Encodable {
        var lang: String
        var title: String
        var message: String
        var reference: String
        var stylesheet: String
        var styleNonce: String
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            return await Self.response(for: error, request: request)
        }
    }

    static func response(for error: any Error, request: Request) async -> Response {
        let apiError = APIErrorMiddleware.classify(error, request: request)
        let nonce = AuthenticationPageGuard.newNonce()
        let locale = CustomerLocale.negotiate(requested: nil, acceptLanguage: request.headers.first(name: .acceptLanguage), merchantDefault: .en)
        let (title, message) = texts(for: apiError.status)
        let response: Response
        do {
            let catalog = try TranslationCatalog.shipped.get()
            let page = Page(
                lang: locale.rawValue, title: catalog.text(title, in: locale), message: catalog.text(message, in: locale),
                reference: catalog.text("error.reference", in: locale, ["reference": request.id]),
                stylesheet: CheckoutAsset.stylesheet.path, styleNonce: nonce)
            response = try await request.view.render("page-error", page).encodeResponse(for: request)
        } catch {
            response = Response(body: .init(string: "Something went wrong. Reference: \(request.id)"))
            response.headers.contentType = .plainText
        }
        response.status = apiError.status
        if let retryAfter = apiError.retryAfter { response.headers.replaceOrAdd(name: .retryAfter, value: String(retryAfter)) }
        AuthenticationPageGuard.secure(response, styleNonce: nonce, stylesheets: true)
        return response
    }

    /// The catalog keys of an error page's title and sentence.
    static func texts(for status: HTTPResponseStatus) -> (title: String, message: String) {
        switch status.code {
        case 404: ("error.title.not_found", "error.missing")
        case 403: ("error.title.forbidden", "error.forbidden")
        case 409: ("error.title.conflict", "error.conflict")
        case 429: ("error.title.rate_limited", "error.rate_limited")
        case 400..<500: ("error.title.invalid", "error.invalid")
        default: ("error.title.server", "error.generic")
        }
    }
}
