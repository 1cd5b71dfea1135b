import Crypto
import Foundation

/// Signs webhooks exactly as the Standard Webhooks specification says: `webhook-id`, `webhook-timestamp` and
/// `webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed with the secret's bytes.
enum StandardWebhookSigner {
    static let secretPrefix = "whsec_"

    static func newSecret(bytes count: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return secretPrefix + Data(bytes).base64EncodedString()
    }

    static func signature(id: String, timestamp: Int, body: [UInt8], secret: String) -> String? {
        let encoded = secret.hasPrefix(secretPrefix) ? String(secret.dropFirst(secretPrefix.count)) : secret
        guard let key = Data(base64Encoded: encoded) else { return nil }
        var message = Array("\(id).\(timestamp).".utf8)
        message.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))
        return "v1," + Data(mac).base64EncodedString()
    }

    /// The headers of one delivery; during a rotation both secrets sign it.
    static func headers(id: String, timestamp: Int, body: [UInt8], secrets: [String]) -> [(String, String)] {
        let signatures = secrets.compactMap { signature(id: id, timestamp: timestamp, body: body, secret: $0) }
        return [
            ("webhook-id", id),
            ("webhook-timestamp", String(timestamp)),
            ("webhook-signature", signatures.joined(separator: " ")),
            ("content-type", "application/json"),
            ("user-agent", "PayHub-Webhooks/1.0"),
        ]
    }

    /// `{"type", "timestamp", "data"}` with the event's object as data.
    static func body(type: String, createdAt: Date, data: String) -> [UInt8] {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let typeJSON = JSONText.encode(type)
        let timestampJSON = JSONText.encode(formatter.string(from: createdAt))
        return Array("{\"type\":\(typeJSON),\"timestamp\":\(timestampJSON),\"data\":\(data)}".utf8)
    }
}
