import Crypto
import Foundation
import PayHubCore

/// The `t=<unix>,v1=<hex HMAC-SHA256 of "t.body">` header Stripe, WooshPay and PayHub's sandbox sign webhooks with.
public enum TimestampedSignature {
    public static func sign(body: [UInt8], secret: String, timestamp: Int) -> String {
        "t=\(timestamp),v1=\(hexDigest(body: body, secret: secret, timestamp: timestamp))"
    }

    /// Accepts the header when any `v1` matches (several are sent during secret rotation) and the timestamp is
    /// within `tolerance` seconds of `now`. Compares in constant time.
    public static func verify(
        header: String?, body: [UInt8], secret: String, now: Date, tolerance: TimeInterval = 300
    ) throws {
        guard let header, !header.isEmpty else { throw ConnectorError.signatureInvalid("no signature header") }
        var timestamp: Int?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = Int(pair[1]) }
            if pair[0] == "v1" { signatures.append(pair[1]) }
        }
        guard let timestamp else { throw ConnectorError.signatureInvalid("no timestamp") }
        guard !signatures.isEmpty else { throw ConnectorError.signatureInvalid("no v1 signature") }
        guard abs(now.timeIntervalSince1970 - Double(timestamp)) <= tolerance else {
            throw ConnectorError.signatureInvalid("timestamp outside the tolerance")
        }
        let expected = Array(hexDigest(body: body, secret: secret, timestamp: timestamp).utf8)
        let matched = signatures.reduce(false) { found, candidate in
            constantTimeEquals(Array(candidate.utf8), expected) || found
        }
        guard matched else { throw ConnectorError.signatureInvalid("no signature matches") }
    }

    static func hexDigest(body: [UInt8], secret: String, timestamp: Int) -> String {
        var message = Array("\(timestamp).".utf8)
        message.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8)))
        return Hex.encode(mac)
    }
}

/// Compares two byte strings in time that depends only on their lengths.
public func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
    guard lhs.count == rhs.count else { return false }
    var difference: UInt8 = 0
    for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
    return difference == 0
}
