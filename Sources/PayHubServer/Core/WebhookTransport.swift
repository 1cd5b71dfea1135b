import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Sends one webhook request. Injected: the live one uses AsyncHTTPClient, tests record or fail.
public protocol WebhookTransport: Sendable {
    func post(url: String, headers: [(String, String)], body: [UInt8], timeout: TimeInterval) async throws -> WebhookResponse
}

public struct WebhookResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    /// The first bytes of the body, for the delivery log.
    public var bodyExcerpt: String

    public init(status: Int, headers: [(String, String)], bodyExcerpt: String) {
        self.status = status
        self.headers = headers
        self.bodyExcerpt = bodyExcerpt
    }
}

public struct HTTPWebhookTransport: WebhookTransport {
    let client: HTTPClient

    public init(client: HTTPClient) {
        self.client = client
    }

    public func post(url: String, headers: [(String, String)], body: [UInt8], timeout: TimeInterval) async throws -> WebhookResponse {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
        var collected = ByteBuffer()
        for try await var chunk in response.body {
            if collected.readableBytes < 1024 { collected.writeBuffer(&chunk) }
        }
        let excerpt = String(decoding: collected.readableBytesView.prefix(1024), as: UTF8.self)
        return WebhookResponse(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, bodyExcerpt: excerpt)
    }
}
