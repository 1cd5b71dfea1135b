import NIOSSL

/// Where and how to reach the SMTP server.
public struct SMTPConfiguration: Sendable, CustomStringConvertible {
    public enum Security: String, Sendable, CaseIterable {
        /// Plain TCP (a local relay only: credentials are never sent this way).
        case none
        /// Plain TCP, then `STARTTLS` before anything else (port 587); refused if the server does not offer it.
        case starttls
        /// TLS from the first byte (port 465).
        case tls
    }

    public struct Credentials: Sendable, CustomStringConvertible, CustomReflectable {
        public var username: String
        public var password: String
        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }

        /// Neither printing nor `dump` shows the password.
        public var description: String { "\(username) (password hidden)" }
        public var customMirror: Mirror { Mirror(self, children: ["username": username]) }
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var credentials: Credentials?
    /// The envelope sender (`MAIL FROM`); the message's `From` when nil.
    public var sender: String?
    /// The name this client gives in `EHLO`.
    public var heloName: String
    /// Seconds to connect, and to wait for each reply.
    public var timeout: Double
    /// How the server's certificate is checked; the system's trust roots and full verification by default.
    public var tls: TLSConfiguration

    public init(
        host: String, port: Int, security: Security, credentials: Credentials? = nil, sender: String? = nil,
        heloName: String = "localhost", timeout: Double = 30, tls: TLSConfiguration = .makeClientConfiguration()
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.credentials = credentials
        self.sender = sender
        self.heloName = heloName
        self.timeout = timeout
        self.tls = tls
    }

    /// The usual port of each security mode.
    public static func defaultPort(for security: Security) -> Int {
        switch security {
        case .none: 25
        case .starttls: 587
        case .tls: 465
        }
    }

    /// Never shows the password.
    public var description: String {
        let user = credentials.map { " as \($0.username) (password hidden)" } ?? ""
        return "smtp://\(host):\(port) (\(security.rawValue))\(user)"
    }
}
