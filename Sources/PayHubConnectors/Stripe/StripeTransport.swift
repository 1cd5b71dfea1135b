/// One HTTP exchange with Stripe, kept free of any HTTP library so tests can stub it.
public struct StripeHTTPRequest: Sendable, Equatable {
    public enum Method: String, Sendable { case get = "GET", post = "POST", delete = "DELETE" }

    public var method: Method
    public var url: String
    /// Header names as Stripe documents them (`Authorization`, `Idempotency-Key`, ...).
    public var headers: [String: String]
    public var body: [UInt8]
    /// Seconds before the call is abandoned.
    public var timeout: Double

    public init(method: Method, url: String, headers: [String: String], body: [UInt8], timeout: Double) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

public struct StripeHTTPResponse: Sendable, Equatable {
    public var status: Int
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8]) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        self.body = body
    }
}

/// Sends requests to Stripe. Throws when no HTTP response came back (network failure, timeout): the
/// connector reports that as `ConnectorError.unavailable`.
public protocol StripeTransport: Sendable {
    func send(_ request: StripeHTTPRequest) async throws -> StripeHTTPResponse
}
