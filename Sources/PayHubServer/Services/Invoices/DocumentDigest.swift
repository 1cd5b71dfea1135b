import Crypto

/// The SHA-256 of a rendered document, in lower-case hex: what is stored with it and sent as its `ETag`.
enum DocumentDigest {
    static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
