import Crypto
import Foundation
import Vapor

/// `GET /payhub.js` and `GET /payhub.css`: the embeddable checkout (issue 7, section 3) and its stylesheet, as
/// written in `Resources/Scripts` (no build step). Read once at start; cached by browsers for five minutes and
/// then revalidated by `ETag`, so a new release reaches shops' pages quickly.
struct EmbedScriptController: RouteCollection {
    struct Asset: Sendable {
        var body: Data
        var contentType: HTTPMediaType
        var etag: String

        init(file: String, contentType: HTTPMediaType) throws {
            let url = Bundle.module.bundleURL.appendingPathComponent("Resources/Scripts/\(file)")
            body = try Data(contentsOf: url)
            self.contentType = contentType
            etag = "\"" + SHA256.hash(data: body).prefix(12).map { String(format: "%02x", $0) }.joined() + "\""
        }
    }

    static let cacheControl = "public, max-age=300, must-revalidate"

    func boot(routes: any RoutesBuilder) throws {
        let script = try Asset(file: "payhub.js", contentType: HTTPMediaType(type: "application", subType: "javascript", parameters: ["charset": "utf-8"]))
        let style = try Asset(file: "payhub.css", contentType: HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"]))
        routes.get("payhub.js") { request in Self.serve(script, to: request) }
        routes.get("payhub.css") { request in Self.serve(style, to: request) }
    }

    static func serve(_ asset: Asset, to request: Request) -> Response {
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .eTag, value: asset.etag)
        headers.replaceOrAdd(name: .cacheControl, value: cacheControl)
        headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        // Shops' pages load it from another origin, also under Cross-Origin-Embedder-Policy.
        headers.replaceOrAdd(name: "Cross-Origin-Resource-Policy", value: "cross-origin")
        let tags = request.headers[.ifNoneMatch].flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        if tags.contains(asset.etag) || tags.contains("*") {
            return Response(status: .notModified, headers: headers)
        }
        headers.contentType = asset.contentType
        return Response(status: .ok, headers: headers, body: .init(data: asset.body))
    }
}
