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

/// Why a webhook request got no answer. Its description is what the merchant reads in the delivery log: a
/// sentence, never an internal error text or an address.
public enum WebhookDeliveryFailure: Error, Equatable, CustomStringConvertible {
    /// The receiver resolves to an address PayHub does not call; nothing was sent.
    case targetRefused
    case invalidURL
    case nameNotResolved
    case timedOut
    case connectionFailed

    public var description: String {
        switch self {
        case .targetRefused: "Not sent: the receiver's address is private, loopback or reserved, and PayHub only calls public addresses."
        case .invalidURL: "Not sent: the endpoint URL is not an http(s) URL."
        case .nameNotResolved: "The receiver's host name could not be resolved."
        case .timedOut: "The receiver did not answer in time."
        case .connectionFailed: "The connection to the receiver failed."
        }
    }
}

/// The live transport. It resolves the receiver's name itself, checks every address against the policy and then
/// connects to the address it checked (keeping the name for `Host` and TLS), so a DNS answer that changes between
/// the check and the connection (rebinding) cannot reach a private address. Redirects are not followed.
public final class HTTPWebhookTransport: WebhookTransport {
    /// How much of a response body the delivery log keeps.
    public static let excerptLimit = 256

    let policy: WebhookTargetPolicy
    let resolver: any WebhookHostResolver
    private let clients: WebhookClientPool

    public init(eventLoopGroup: any EventLoopGroup, policy: WebhookTargetPolicy, resolver: any WebhookHostResolver = HostResolver()) {
        self.policy = policy
        self.resolver = resolver
        self.clients = WebhookClientPool(eventLoopGroup: eventLoopGroup)
    }

    public func post(url: String, headers: [(String, String)], body: [UInt8], timeout: TimeInterval) async throws -> WebhookResponse {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let urlHost = parsed.host, !urlHost.isEmpty
        else { throw WebhookDeliveryFailure.invalidURL }
        // The host exactly as AsyncHTTPClient reads it, so that the override below is the address it connects to.
        let host = urlHost.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        // Numbers in any form the C resolver reads (`2130706433`, `0x7f.1`) are addresses, not names to look up.
        let literal = WebhookTargetPolicy.literalAddress(host)
        let addresses: [IPAddress]
        do {
            if let literal { addresses = [literal] } else { addresses = try await resolver.addresses(of: host) }
        } catch {
            throw WebhookDeliveryFailure.nameNotResolved
        }
        guard let target = addresses.first else { throw WebhookDeliveryFailure.nameNotResolved }
        guard addresses.allSatisfy(policy.permits) else { throw WebhookDeliveryFailure.targetRefused }

        // Connect to the checked address; only a strict literal is connected to as written.
        let key = WebhookClientPool.Key(
            scheme: scheme, host: host, port: parsed.port, address: IPAddress(host) == nil ? target.description : nil)
        let client = clients.client(for: key)
        do {
            return try await send(client: client, url: url, headers: headers, body: body, timeout: timeout)
        } catch {
            if let failure = error as? WebhookDeliveryFailure { throw failure }
            if let clientError = error as? HTTPClientError, clientError == .deadlineExceeded || clientError == .readTimeout
                || clientError == .connectTimeout {
                throw WebhookDeliveryFailure.timedOut
            }
            throw WebhookDeliveryFailure.connectionFailed
        }
    }

    /// Closes the pooled connections.
    public func shutdown() async { await clients.shutdown() }

    private func send(client: HTTPClient, url: String, headers: [(String, String)], body: [UInt8], timeout: TimeInterval) async throws -> WebhookResponse {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
        var collected = ByteBuffer()
        for try await var chunk in response.body {
            collected.writeBuffer(&chunk)
            if collected.readableBytes >= Self.excerptLimit { break }
        }
        let excerpt = String(decoding: collected.readableBytesView.prefix(Self.excerptLimit), as: UTF8.self)
        return WebhookResponse(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, bodyExcerpt: excerpt)
    }
}
