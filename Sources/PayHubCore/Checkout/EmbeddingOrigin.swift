/// A web origin allowed to embed a merchant's checkout (`payhub.js`, `frame-ancestors`): a scheme, a host and an
/// optional port, in the form browsers send in the `Origin` header (`https://shop.example`, `http://127.0.0.1:5173`).
/// Parsed strictly: lower-cased, the scheme's default port dropped, a single trailing `/` dropped; no path, query,
/// fragment, user info or wildcard.
public struct EmbeddingOrigin: Sendable, Hashable, CustomStringConvertible {
    public let scheme: String
    public let host: String
    /// Nil when it is the scheme's default port.
    public let port: Int?

    public static let maxLength = 255

    public var description: String { "\(scheme)://\(host)\(port.map { ":\($0)" } ?? "")" }

    /// Parses `raw`; `livemode` origins must use `https`, test-mode ones may use `http` too.
    public init(parsing raw: String, livemode: Bool) throws(EmbeddingOriginInvalid) {
        guard !raw.isEmpty, raw.utf8.count <= Self.maxLength else {
            throw EmbeddingOriginInvalid("must have 1 to \(Self.maxLength) characters")
        }
        guard raw.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw EmbeddingOriginInvalid("must be ASCII without spaces (write international domain names in punycode, xn--...)")
        }
        var text = raw.lowercased()
        guard !text.contains("*") else { throw EmbeddingOriginInvalid("cannot contain wildcards; list each origin") }
        guard let separator = text.range(of: "://") else {
            throw EmbeddingOriginInvalid("must be an origin such as https://shop.example")
        }
        let scheme = String(text[..<separator.lowerBound])
        guard scheme == "https" || scheme == "http" else { throw EmbeddingOriginInvalid("must use https (or http in test mode)") }
        guard scheme == "https" || !livemode else { throw EmbeddingOriginInvalid("must use https in live mode") }
        text = String(text[separator.upperBound...])
        if text.hasSuffix("/") { text.removeLast() }
        if let forbidden = text.first(where: { "/?#@\\%".contains($0) }) {
            let what = switch forbidden {
            case "/": "a path"
            case "?": "a query"
            case "#": "a fragment"
            case "@": "user info"
            default: "'\(forbidden)'"
            }
            throw EmbeddingOriginInvalid("must be scheme, host and port only, without \(what)")
        }
        let (host, portText) = try Self.split(authority: text)
        try Self.check(host: host)
        var port: Int?
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy(\.isASCIIDigit), let number = Int(portText),
                  (1...65535).contains(number)
            else { throw EmbeddingOriginInvalid("has an invalid port") }
            port = number == (scheme == "https" ? 443 : 80) ? nil : number
        }
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    /// `host[:port]` or `[ipv6][:port]`.
    private static func split(authority: String) throws(EmbeddingOriginInvalid) -> (host: String, port: String?) {
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw EmbeddingOriginInvalid("has an unclosed IPv6 address") }
            let host = String(authority[...close])
            let rest = authority[authority.index(after: close)...]
            if rest.isEmpty { return (host, nil) }
            guard rest.hasPrefix(":") else { throw EmbeddingOriginInvalid("has characters after the IPv6 address") }
            return (host, String(rest.dropFirst()))
        }
        let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { throw EmbeddingOriginInvalid("has more than one ':'") }
        return (String(parts[0]), parts.count == 2 ? String(parts[1]) : nil)
    }

    private static func check(host: String) throws(EmbeddingOriginInvalid) {
        if host.hasPrefix("[") {
            let inner = host.dropFirst().dropLast()
            guard inner.count >= 2, inner.contains(":"), inner.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw EmbeddingOriginInvalid("has an invalid IPv6 address")
            }
            return
        }
        guard !host.isEmpty, host.utf8.count <= 253 else { throw EmbeddingOriginInvalid("needs a host name") }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            guard !label.isEmpty, label.count <= 63, label.allSatisfy({ $0.isASCIIDigit || ("a"..."z").contains($0) || $0 == "-" }),
                  label.first != "-", label.last != "-"
            else { throw EmbeddingOriginInvalid("has an invalid host name") }
        }
    }
}

/// Why a string is not an embedding origin, completing "allowed_origins.N ...".
public struct EmbeddingOriginInvalid: Error, Sendable, Equatable {
    public let reason: String

    init(_ reason: String) {
        self.reason = reason
    }
}

private extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
