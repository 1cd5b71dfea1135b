/// Why the SMTP server did not take a message. `isTransient` tells a caller whether trying again later may work.
public enum SMTPError: Error, Sendable, Equatable, CustomStringConvertible {
    case connectionFailed(host: String, port: Int, reason: String)
    case connectionClosed(during: String)
    case timedOut(during: String)
    case tlsFailed(reason: String)
    /// `security: starttls` but the server does not offer STARTTLS.
    case startTLSNotOffered
    /// Credentials are configured but the server offers neither AUTH PLAIN nor AUTH LOGIN.
    case authenticationNotOffered
    /// Credentials are never sent over an unencrypted connection.
    case authenticationRequiresEncryption
    case authenticationRefused(SMTPReply)
    case senderRefused(SMTPReply)
    case recipientRefused(address: String, reply: SMTPReply)
    case messageRefused(SMTPReply)
    /// Any other refusal: the greeting, EHLO/HELO, STARTTLS.
    case unexpectedReply(during: String, reply: SMTPReply)
    case malformedReply

    /// The server's reply, when the failure is one.
    public var reply: SMTPReply? {
        switch self {
        case .authenticationRefused(let reply), .senderRefused(let reply), .messageRefused(let reply): reply
        case .recipientRefused(_, let reply), .unexpectedReply(_, let reply): reply
        default: nil
        }
    }

    /// 4xx replies and network trouble may pass; 5xx replies, TLS and configuration problems will not.
    public var isTransient: Bool {
        if let reply { return reply.isTransient }
        switch self {
        case .connectionFailed, .connectionClosed, .timedOut: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .connectionFailed(let host, let port, let reason): "Could not connect to the SMTP server \(host):\(port): \(reason)"
        case .connectionClosed(let during): "The SMTP server closed the connection during \(during)"
        case .timedOut(let during): "The SMTP server did not answer in time during \(during)"
        case .tlsFailed(let reason): "TLS with the SMTP server failed: \(reason)"
        case .startTLSNotOffered: "The SMTP server does not offer STARTTLS"
        case .authenticationNotOffered: "The SMTP server offers neither AUTH PLAIN nor AUTH LOGIN"
        case .authenticationRequiresEncryption: "SMTP credentials are only sent over TLS (security starttls or tls)"
        case .authenticationRefused(let reply): "The SMTP server refused the credentials: \(reply)"
        case .senderRefused(let reply): "The SMTP server refused the sender: \(reply)"
        case .recipientRefused(let address, let reply): "The SMTP server refused the recipient \(address): \(reply)"
        case .messageRefused(let reply): "The SMTP server refused the message: \(reply)"
        case .unexpectedReply(let during, let reply): "The SMTP server answered \(during) with \(reply)"
        case .malformedReply: "The SMTP server's reply could not be read"
        }
    }
}
