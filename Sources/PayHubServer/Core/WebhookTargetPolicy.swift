import Foundation
import Vapor

/// An IPv4 or IPv6 address as its network-order bytes.
public enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    case v4([UInt8])
    case v6([UInt8])

    /// Parses a strict textual address (`a.b.c.d` or an IPv6 literal without brackets); nil for anything else.
    public init?(_ text: String) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self = .v4(withUnsafeBytes(of: &v4) { Array($0) })
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            self = .v6(withUnsafeBytes(of: &v6) { Array($0) })
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .v4(let bytes): return bytes.map(String.init).joined(separator: ".")
        case .v6(let bytes):
            var address = in6_addr()
            withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes) }
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            _ = inet_ntop(AF_INET6, &address, &text, socklen_t(text.count))
            return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }
}

/// Where PayHub may send webhooks: public unicast addresses only, unless the operator allows private networks
/// (`PAYHUB_WEBHOOK_ALLOW_PRIVATE=true`, for local development). The transport checks every address a receiver's
/// name resolves to and connects to the address it checked; endpoint creation refuses what is visibly local.
public struct WebhookTargetPolicy: Sendable, Equatable {
    public enum Network: Sendable, Equatable {
        case publicUnicast
        /// Loopback, RFC 1918, link-local, CGNAT, unique-local, documentation and other special-use ranges.
        case privateOrSpecial
        /// Never a receiver: unspecified, multicast, broadcast.
        case unusable
    }

    public var allowsPrivate: Bool

    public init(allowsPrivate: Bool) {
        self.allowsPrivate = allowsPrivate
    }

    public func permits(_ address: IPAddress) -> Bool {
        switch Self.network(of: address) {
        case .publicUnicast: true
        case .privateOrSpecial: allowsPrivate
        case .unusable: false
        }
    }

    public static func network(of address: IPAddress) -> Network {
        switch address {
        case .v4(let b): return network(v4: b)
        case .v6(let b): return network(v6: b)
        }
    }

    private static func network(v4 b: [UInt8]) -> Network {
        switch (b[0], b[1], b[2]) {
        case (0, _, _): return .unusable                                  // "this network", 0.0.0.0
        case (224...239, _, _): return .unusable                           // multicast
        case (255, 255, 255) where b[3] == 255: return .unusable           // broadcast
        case (10, _, _), (127, _, _), (169, 254, _), (192, 168, _): return .privateOrSpecial
        case (172, 16...31, _), (100, 64...127, _), (198, 18...19, _): return .privateOrSpecial
        case (192, 0, 0), (192, 0, 2), (198, 51, 100), (203, 0, 113), (192, 88, 99): return .privateOrSpecial
        case (240...255, _, _): return .privateOrSpecial                   // reserved
        default: return .publicUnicast
        }
    }

    private static func network(v6 b: [UInt8]) -> Network {
        let embeddedV4 = Array(b[12..<16])
        if b.allSatisfy({ $0 == 0 }) { return .unusable }                  // ::
        if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return .privateOrSpecial }  // ::1
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff {      // ::ffff:a.b.c.d
            return network(v4: embeddedV4)
        }
        if b[0..<12].allSatisfy({ $0 == 0 }) { return network(v4: embeddedV4) }        // ::a.b.c.d (deprecated)
        if b[0] == 0x00, b[1] == 0x64, b[2] == 0xff, b[3] == 0x9b {                   // NAT64 64:ff9b::/96 and /48
            return b[4..<12].allSatisfy({ $0 == 0 }) ? network(v4: embeddedV4) : .privateOrSpecial
        }
        if b[0] == 0x20, b[1] == 0x02 { return network(v4: Array(b[2..<6])) }          // 6to4 2002::/16
        if b[0] == 0xff { return .unusable }                                           // multicast
        if b[0] & 0xfe == 0xfc { return .privateOrSpecial }                            // unique local fc00::/7
        if b[0] == 0xfe, b[1] & 0xc0 == 0x80 || b[1] & 0xc0 == 0xc0 { return .privateOrSpecial }  // fe80::/10, fec0::/10
        if b[0] == 0x20, b[1] == 0x01, b[2] == 0x0d, b[3] == 0xb8 { return .privateOrSpecial }  // documentation
        if b[0] == 0x20, b[1] == 0x01, b[2] == 0x00, b[3] == 0x00 { return .privateOrSpecial }  // Teredo
        guard b[0] & 0xe0 == 0x20 else { return .privateOrSpecial }                    // only 2000::/3 is global
        return .publicUnicast
    }

    /// Names that always mean this machine or its local network, whatever DNS says.
    static func isLocalName(_ host: String) -> Bool {
        let name = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        return name == "localhost" || name.hasSuffix(".localhost") || name.hasSuffix(".local")
            || name.hasSuffix(".internal") || name.hasSuffix(".localdomain") || !name.contains(".")
    }

    /// The address a URL host spells directly, in any form the C resolver accepts (`2130706433`, `0x7f.1`,
    /// `127.1`, `[::ffff:127.0.0.1]`), without asking DNS; nil for a name.
    static func literalAddress(_ host: String) -> IPAddress? {
        let trimmed = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return HostResolver.numeric(trimmed)
    }

    /// Checks a receiver URL when an endpoint is created or changed. Live endpoints must use https.
    func validate(url: String, livemode: Bool) throws {
        try InputRules.url(url, param: "url")
        guard let components = URLComponents(string: url), let host = components.host else { return }
        if livemode, components.scheme?.lowercased() != "https" {
            throw ServiceError.invalid("url_invalid", "Live webhook endpoints must use https.", param: "url")
        }
        let refused: Bool
        if let address = Self.literalAddress(host) {
            refused = !permits(address)
        } else {
            refused = !allowsPrivate && Self.isLocalName(host)
        }
        if refused {
            throw ServiceError.invalid(
                "url_invalid", "Webhook endpoints must be on a public address: PayHub does not call private, loopback or reserved networks.",
                param: "url")
        }
    }
}

/// Resolves a receiver's host name to addresses. Injected so tests can answer as a rebinding DNS server would.
public protocol WebhookHostResolver: Sendable {
    func addresses(of host: String) async throws -> [IPAddress]
}

/// The C resolver (`getaddrinfo`), run on NIO's blocking thread pool.
public struct HostResolver: WebhookHostResolver {
    public struct Failed: Error, CustomStringConvertible {
        public var description: String { "The receiver's host name could not be resolved." }
    }

    public init() {}

    public func addresses(of host: String) async throws -> [IPAddress] {
        let name = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        // Only address families this machine can reach: the transport connects to the first address.
        let found = try await NIOThreadPool.singleton.runIfActive { Self.lookUp(name, flags: AI_ADDRCONFIG) }
        guard !found.isEmpty else { throw Failed() }
        return found
    }

    /// A numeric host only (no DNS), the way the C resolver reads numbers.
    static func numeric(_ host: String) -> IPAddress? {
        lookUp(host, flags: AI_NUMERICHOST).first
    }

    static func lookUp(_ host: String, flags: Int32) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_flags = flags
        #if os(Linux)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var result: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let address = info.pointee.ai_addr {
                switch Int32(address.pointee.sa_family) {
                case AF_INET:
                    address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                        var raw = v4.pointee.sin_addr
                        result.append(.v4(withUnsafeBytes(of: &raw) { Array($0) }))
                    }
                case AF_INET6:
                    address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                        var raw = v6.pointee.sin6_addr
                        result.append(.v6(withUnsafeBytes(of: &raw) { Array($0) }))
                    }
                default: break
                }
            }
            cursor = info.pointee.ai_next
        }
        var seen = Set<IPAddress>()
        return result.filter { seen.insert($0).inserted }
    }
}
