import AsyncHTTPClient

/// The live transport, on AsyncHTTPClient.
public struct StripeHTTPClientTransport: StripeTransport {
    private let client: HTTPClient
    /// Larger responses are refused rather than buffered.
    private let maximumResponseBytes: Int

    public init(client: HTTPClient = .shared, maximumResponseBytes: Int = 4 << 20) {
        self.client = client
        self.maximumResponseBytes = maximumResponseBytes
    }

    public func send(_ request: StripeHTTPRequest) async throws -> StripeHTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = switch request.method {
        case .get: .GET
        case .post: .POST
        case .delete: .DELETE
        }
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if request.method == .post { outgoing.body = .bytes(request.body) }

        let timeout = Int64((request.timeout * 1000).rounded())
        let response = try await client.execute(outgoing, timeout: .milliseconds(timeout))
        let body = try await response.body.collect(upTo: maximumResponseBytes)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return StripeHTTPResponse(
            status: Int(response.status.code), headers: headers, body: Array(body.readableBytesView))
    }
}
