import Crypto
import Foundation
import PayHubCore

/// Seals secrets at rest with AES-256-GCM under a key derived from the master key.
struct SecretBox: Sendable {
    /// How every sealed value begins.
    static let sealedPrefix = "v1:"

    private let key: SymmetricKey

    init(masterKey: SymmetricKey) {
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: masterKey, info: Data("payhub secrets at rest v1".utf8), outputByteCount: 32)
    }

    func seal(_ plaintext: String) throws -> String {
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: key)
        guard let combined = box.combined else { throw SecretBoxError.sealFailed }
        return Self.sealedPrefix + combined.base64EncodedString()
    }

    func open(_ sealed: String) throws -> String {
        guard sealed.hasPrefix(Self.sealedPrefix), let combined = Data(base64Encoded: String(sealed.dropFirst(3))) else {
            throw SecretBoxError.malformed
        }
        let data = try AES.GCM.open(try AES.GCM.SealedBox(combined: combined), using: key)
        return String(decoding: data, as: UTF8.self)
    }
}

enum SecretBoxError: Error {
    case sealFailed
    case malformed
}

/// SHA-256 digests of API keys: keys carry 143 random bits, so a fast digest is enough and lookups stay indexed.
enum KeyDigest {
    static func hex(_ key: String) -> String {
        Hex.encode(SHA256.hash(data: Data(key.utf8)))
    }
}
