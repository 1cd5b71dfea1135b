import Crypto
import Foundation
import PayHubConnectors

/// Twilio's status callback: a form-encoded POST to the `StatusCallback` URL of a message each time its status
/// changes (`MessageSid`, `MessageStatus`, and `ErrorCode` when it failed), signed in `X-Twilio-Signature`: the
/// base64 HMAC-SHA1, keyed with the account's auth token, of the callback URL followed by every POST parameter's
/// name and value, sorted by name (https://www.twilio.com/docs/usage/webhooks/webhooks-security).
struct TwilioStatusCallback: Sendable, Equatable {
    var messageID: String
    var status: SMSStatus
    var errorCode: String?

    /// The path PayHub asks Twilio to call, under the public URL.
    static let path = "/v1/sms/twilio/status"

    enum Invalid: Error, Equatable {
        case signature
        case fields
    }

    /// Verifies the signature over exactly `url` (the one PayHub gave Twilio), then reads the report.
    init(url: String, parameters: [(String, String)], signature: String?, authToken: String) throws(Invalid) {
        guard let signature, !signature.isEmpty else { throw .signature }
        let expected = Self.signature(url: url, parameters: parameters, authToken: authToken)
        guard constantTimeEquals(Array(signature.utf8), Array(expected.utf8)) else { throw .signature }
        let fields = Dictionary(parameters, uniquingKeysWith: { first, _ in first })
        guard let sid = fields["MessageSid"] ?? fields["SmsSid"], Self.isMessageSID(sid),
              let status = (fields["MessageStatus"] ?? fields["SmsStatus"]).flatMap(SMSStatus.init(rawValue:))
        else { throw .fields }
        messageID = sid
        self.status = status
        errorCode = fields["ErrorCode"].flatMap { code in code.count <= 10 && code.allSatisfy(\.isNumber) && !code.isEmpty ? code : nil }
    }

    static func signature(url: String, parameters: [(String, String)], authToken: String) -> String {
        var signed = url
        for (name, value) in parameters.sorted(by: { $0.0 < $1.0 }) {
            signed += name + value
        }
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(signed.utf8), using: SymmetricKey(data: Data(authToken.utf8)))
        return Data(mac).base64EncodedString()
    }

    /// Twilio's sids are `SM` or `MM` and 32 hexadecimal digits; any short id of letters, digits, `_` and `-` is
    /// looked up as given (it only ever matches a message PayHub recorded), anything else is refused.
    static func isMessageSID(_ value: String) -> Bool {
        (1...64).contains(value.utf8.count) && value.utf8.allSatisfy { $0 == 0x5F || $0 == 0x2D || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
    }
}
