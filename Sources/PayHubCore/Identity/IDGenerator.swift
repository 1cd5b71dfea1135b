/// Makes ids. Injected so tests can fix them; the live one draws from the system's secure random source.
public protocol IDGenerator: Sendable {
    func randomToken(length: Int) -> String
}

extension IDGenerator {
    public func make<Kind: IdentifierKind>(_ kind: Kind.Type = Kind.self) -> Identifier<Kind> {
        Identifier(rawValue: Kind.prefix + "_" + randomToken(length: 24))
    }
}

/// 24 base-62 characters carry about 143 bits: unguessable.
public struct SecureRandomIDGenerator: IDGenerator {
    public init() {}

    /// Draws 64 random bits at a time (one system call per ~10 characters) and maps them without bias.
    public func randomToken(length: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        var characters: [Character] = []
        characters.reserveCapacity(length)
        while characters.count < length {
            var bits = generator.next()
            for _ in 0..<10 where characters.count < length {
                let index = Int(bits & 0x3F)
                bits >>= 6
                if index < Base62.alphabet.count { characters.append(Base62.alphabet[index]) }
            }
        }
        return String(characters)
    }
}

public enum Base62 {
    public static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
}
