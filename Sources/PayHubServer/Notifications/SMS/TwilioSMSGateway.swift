import AsyncHTTPClient
import Foundation
import NIOCore

/// Twilio's Messages API: `POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded `To`, `From` (or
/// `MessagingServiceSid`), `Body` and optional `StatusCallback`, with HTTP basic authentication (Account SID, auth
/// token). A 201 carries the message's `sid` and `status`; an error carries `code`, `message` and `more_info`.
public struct TwilioSMSGateway: SMSGateway {
    public struct Credentials: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
        public var accountSID: String
        public var authToken: String
        public init(accountSID: String, authToken: String) {
            self.accountSID = accountSID
            self.authToken = authToken
        }

        /// Never shows the token.
        public var description: String { "Twilio account \(accountSID) (auth token hidden)" }
        public var customMirror: Mirror { Mirror(self, children: ["accountSID": accountSID]) }
    }

    /// Who the message comes from: a Twilio number (or alphanumeric sender id), or a Messaging Service.
    public enum Sender: Sendable, Equatable {
        case from(String)
        case messagingService(sid: String)

        /// `MG` followed by 32 hexadecimal digits is a Messaging Service; anything else a `From` value.
        public init(_ value: String) {
            let isService = value.count == 34 && value.hasPrefix("MG") && value.dropFirst(2).allSatisfy(\.isHexDigit)
            self = isService ? .messagingService(sid: value) : .from(value)
        }
    }

    public static let defaultBaseURL = "https://api.twilio.com"

    let client: HTTPClient
    let credentials: Credentials
    let sender: Sender
    let baseURL: String
    let statusCallback: String?
    let timeout: TimeAmount

    public init(
        client: HTTPClient, credentials: Credentials, sender: Sender, baseURL: String = TwilioSMSGateway.defaultBaseURL,
        statusCallback: String? = nil, timeout: TimeInterval = 15
    ) {
        self.client = client
        self.credentials = credentials
        self.sender = sender
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.statusCallback = statusCallback
        self.timeout = .milliseconds(Int64(timeout * 1000))
    }

    public func send(to: String, text: String) async throws -> SMSReceipt {
        var fields = [("To", to)]
        switch sender {
        case .from(let from): fields.append(("From", from))
        case .messagingService(let sid): fields.append(("MessagingServiceSid", sid))
        }
        fields.append(("Body", text))
        if let statusCallback { fields.append(("StatusCallback", statusCallback)) }

        var request = HTTPClientRequest(url: "\(baseURL)/2010-04-01/Accounts/\(Self.escape(credentials.accountSID))/Messages.json")
        request.method = .POST
        let basic = Data("\(credentials.accountSID):\(credentials.authToken)".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic \(basic)")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: fields.map { "\($0)=\(Self.escape($1))" }.joined(separator: "&")))

        let status: Int
        let body: ByteBuffer
        do {
            let response = try await client.execute(request, timeout: timeout)
            status = Int(response.status.code)
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            // The error text of the HTTP client names the URL only, never the Authorization header.
            throw SMSGatewayError.unreachable(reason: String(describing: error))
        }
        return try Self.receipt(status: status, body: Data(body.readableBytesView))
    }

    struct Created: Decodable {
        var sid: String
        var status: String
    }

    struct Failure: Decodable {
        var code: Int?
        var message: String
        var more_info: String?
    }

    static func receipt(status: Int, body: Data) throws -> SMSReceipt {
        guard (200..<300).contains(status) else {
            guard let failure = try? JSONDecoder().decode(Failure.self, from: body) else { throw SMSGatewayError.unexpectedResponse(httpStatus: status) }
            throw SMSGatewayError.refused(httpStatus: status, code: failure.code, message: failure.message, moreInfo: failure.more_info)
        }
        guard let created = try? JSONDecoder().decode(Created.self, from: body), let parsed = SMSStatus(rawValue: created.status) else {
            throw SMSGatewayError.unexpectedResponse(httpStatus: status)
        }
        return SMSReceipt(messageID: created.sid, status: parsed)
    }

    /// `application/x-www-form-urlencoded`: everything outside RFC 3986's unreserved characters is percent-encoded.
    static func escape(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
