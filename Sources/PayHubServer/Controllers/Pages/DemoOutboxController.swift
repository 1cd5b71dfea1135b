import Foundation
import Leaf
import Vapor

/// `/demo/outbox`: the emails the demo "sent", when no SMTP server is configured and they go to the data folder's
/// outbox (`DirectoryMailOutbox`). Only test-mode messages are listed; without the directory outbox the pages do not
/// exist (404). Server-rendered, every value escaped by Leaf, links in the text made clickable (http and https only).
struct DemoOutboxController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let outbox = routes.grouped("demo", "outbox")
        outbox.get(use: list)
        outbox.get(":file", use: show)
    }

    struct ListPage: Encodable {
        struct Row: Encodable {
            var file, date, to, subject: String
        }

        var title: String
        var directory: String
        var messages: [Row]
        var styleNonce: String
    }

    struct MessagePage: Encodable {
        struct Segment: Encodable, Equatable {
            var text: String
            var url: String?
        }

        var title: String
        var date, from, to, subject: String
        var lines: [[Segment]]
        var styleNonce: String
    }

    private func outbox(_ request: Request) throws -> DemoOutbox {
        guard case .outbox(let directory) = request.payhub.config.mail.delivery else { throw Abort(.notFound) }
        return DemoOutbox(directory: URL(fileURLWithPath: directory))
    }

    @Sendable func list(_ request: Request) async throws -> Response {
        let outbox = try outbox(request)
        let nonce = AuthenticationPageGuard.newNonce()
        let page = ListPage(
            title: "PayHub demo outbox", directory: outbox.directory.path,
            messages: outbox.messages().map { .init(file: $0.file, date: $0.date, to: $0.to, subject: $0.subject) }, styleNonce: nonce)
        return try await Self.render("demo-outbox", page, nonce: nonce, request: request)
    }

    @Sendable func show(_ request: Request) async throws -> Response {
        guard let message = try outbox(request).message(try request.parameters.require("file")), !message.livemode else {
            throw Abort(.notFound)
        }
        let nonce = AuthenticationPageGuard.newNonce()
        let page = MessagePage(
            title: message.subject, date: message.date, from: message.from, to: message.to, subject: message.subject,
            lines: message.text.split(separator: "\n", omittingEmptySubsequences: false).map { Self.segments(String($0)) }, styleNonce: nonce)
        return try await Self.render("demo-outbox-message", page, nonce: nonce, request: request)
    }

    /// A line as text and links: each `http://` or `https://` URL becomes a link to itself.
    static func segments(_ line: String) -> [MessagePage.Segment] {
        var segments: [MessagePage.Segment] = []
        var rest = Substring(line)
        while let match = rest.firstMatch(of: /https?:\/\/[^\s<>"']+/) {
            if match.range.lowerBound > rest.startIndex { segments.append(.init(text: String(rest[..<match.range.lowerBound]))) }
            let url = String(match.0).trimmingCharacters(in: CharacterSet(charactersIn: ".,;:)"))
            segments.append(.init(text: url, url: url))
            rest = rest[rest.index(match.range.lowerBound, offsetBy: url.count)...]
        }
        if !rest.isEmpty || segments.isEmpty { segments.append(.init(text: String(rest))) }
        return segments
    }

    private static func render(_ view: String, _ page: some Encodable, nonce: String, request: Request) async throws -> Response {
        let response = try await request.view.render(view, page).encodeResponse(for: request)
        AuthenticationPageGuard.secure(response, styleNonce: nonce)
        return response
    }
}
