import Vapor

/// Customer-facing pages answer an error with an HTML page, not the API's JSON: the same status and the same
/// sentence the API would give (`APIErrorMiddleware.classify`, which never tells anything internal), under the
/// pages' security headers. The reference is the request id, which the logs carry.
struct PageErrorMiddleware: AsyncMiddleware {
    struct Page: Encodable {
        var title: String
        var message: String
        var reference: String
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
        let page = Page(title: title(for: apiError.status), message: apiError.message, reference: request.id, styleNonce: nonce)
        let response: Response
        do {
            response = try await request.view.render("page-error", page).encodeResponse(for: request)
        } catch {
            response = Response(body: .init(string: "Something went wrong. Reference: \(request.id)"))
            response.headers.contentType = .plainText
        }
        response.status = apiError.status
        if let retryAfter = apiError.retryAfter { response.headers.replaceOrAdd(name: .retryAfter, value: String(retryAfter)) }
        AuthenticationPageGuard.secure(response, styleNonce: nonce)
        return response
    }

    static func title(for status: HTTPResponseStatus) -> String {
        switch status.code {
        case 404: "This page does not exist"
        case 403: "This form cannot be sent from here"
        case 409: "This has already been done"
        case 429: "Too many tries: wait a moment"
        case 400..<500: "This request cannot be completed"
        default: "Something went wrong on our side"
        }
    }
}
