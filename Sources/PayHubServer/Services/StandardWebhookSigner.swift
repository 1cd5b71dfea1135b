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
        let typeJSON = JSONText.encode(type)
        let timestampJSON = JSONText.encode(InternetDate.string(from: createdAt))
        return Array("{\"type\":\(typeJSON),\"timestamp\":\(timestampJSON),\"data\":\(data)}".utf8)
    }
}

/// RFC 3339 UTC timestamps with milliseconds (`2026-12-01T09:30:00.123Z`), without a formatter per call.
enum InternetDate {
    static func string(from date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var seconds = time_t(milliseconds.quotientAndRemainder(dividingBy: 1000).quotient)
        var remainder = Int(milliseconds - Int64(seconds) * 1000)
        if remainder < 0 { remainder += 1000; seconds -= 1 }
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(remainder), 3))Z"
    }
}
