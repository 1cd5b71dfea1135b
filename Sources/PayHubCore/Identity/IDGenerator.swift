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

    public func randomToken(length: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in Base62.alphabet.randomElement(using: &generator)! })
    }
}

public enum Base62 {
    public static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
}
