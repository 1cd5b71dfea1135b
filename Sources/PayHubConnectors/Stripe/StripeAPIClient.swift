import Crypto
import Foundation
import PayHubCore
import Logging

/// Sends one Stripe API call: authentication, version and idempotency headers, the form body, the timeout,
/// and the translation of failures. Logs method, path, status and Stripe's request id, never a body or a key.
struct StripeAPIClient: Sendable {
    /// The API version every request pins, so Stripe's answers keep the shape this connector reads.
    static let apiVersion = "2024-06-20"
    static let userAgent = "PayHub-StripeConnector/1.0"

    var transport: any StripeTransport
    var timeout: Double
    var logger: Logger

    func post<Response: Decodable>(
        _ path: String, form: StripeForm, idempotencyKey: String? = nil, credentials: StripeCredentials,
        as type: Response.Type = Response.self
    ) async throws -> Response {
        var headers = baseHeaders(credentials)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        if let idempotencyKey { headers["Idempotency-Key"] = Self.stripeIdempotencyKey(idempotencyKey) }
        let request = StripeHTTPRequest(
            method: .post, url: credentials.baseURL + path, headers: headers, body: form.encoded(), timeout: timeout)
        return try await send(request, path: path)
    }

    /// - Parameter query: pairs for the query string (`expand[]=latest_invoice`), encoded as a form is.
    func get<Response: Decodable>(
        _ path: String, query: StripeForm = StripeForm(), credentials: StripeCredentials, as type: Response.Type = Response.self
    ) async throws -> Response {
        try await send(withoutBody: .get, path, query: query, credentials: credentials)
    }

    func delete<Response: Decodable>(
        _ path: String, query: StripeForm = StripeForm(), credentials: StripeCredentials, as type: Response.Type = Response.self
    ) async throws -> Response {
        try await send(withoutBody: .delete, path, query: query, credentials: credentials)
    }

    private func send<Response: Decodable>(
        withoutBody method: StripeHTTPRequest.Method, _ path: String, query: StripeForm, credentials: StripeCredentials
    ) async throws -> Response {
        let url = query.isEmpty ? credentials.baseURL + path : credentials.baseURL + path + "?" + String(decoding: query.encoded(), as: UTF8.self)
        let request = StripeHTTPRequest(method: method, url: url, headers: baseHeaders(credentials), body: [], timeout: timeout)
        return try await send(request, path: path)
    }

    /// Stripe accepts keys of up to 255 characters; a longer one is replaced by its SHA-256, still stable.
    static func stripeIdempotencyKey(_ key: String) -> String {
        guard key.utf8.count > 255 else { return key }
        return "payhub-sha256-" + Hex.encode(SHA256.hash(data: Array(key.utf8)))
    }

    private func baseHeaders(_ credentials: StripeCredentials) -> [String: String] {
        [
            "Authorization": "Bearer \(credentials.secretKey)",
            "Stripe-Version": Self.apiVersion,
            "Accept": "application/json",
            "User-Agent": Self.userAgent,
        ]
    }

    private func send<Response: Decodable>(_ request: StripeHTTPRequest, path: String) async throws -> Response {
        let response: StripeHTTPResponse
        do {
            response = try await transport.send(request)
        } catch let error as ConnectorError {
            throw error
        } catch {
            logger.warning("stripe call failed", metadata: ["method": "\(request.method.rawValue)", "path": "\(path)",
                                                           "error": "\(type(of: error))"])
            throw ConnectorError.unavailable("no answer from Stripe: \(error)")
        }
        logger.debug("stripe call", metadata: [
            "method": "\(request.method.rawValue)", "path": "\(path)", "status": "\(response.status)",
            "request_id": "\(response.headers["request-id"] ?? "-")",
        ])
        guard (200..<300).contains(response.status) else {
            throw StripeErrorMapping.error(status: response.status, body: response.body)
        }
        do {
            return try JSONDecoder().decode(Response.self, from: Data(response.body))
        } catch {
            throw ConnectorError.invalidResponse("Stripe's answer to \(request.method.rawValue) \(path) could not be read")
        }
    }
}
