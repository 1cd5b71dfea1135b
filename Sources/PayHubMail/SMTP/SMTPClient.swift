import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A small SMTP client (RFC 5321) on SwiftNIO: one connection per message; EHLO (HELO when refused), STARTTLS or
/// implicit TLS, AUTH PLAIN or LOGIN, MAIL FROM / RCPT TO / DATA / QUIT. Every failure is an `SMTPError`.
public final class SMTPClient: Sendable {
    public let configuration: SMTPConfiguration
    private let group: any EventLoopGroup
    private let tlsContext: NIOSSLContext?

    public init(configuration: SMTPConfiguration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws {
        self.configuration = configuration
        self.group = eventLoopGroup
        self.tlsContext = configuration.security == .none ? nil : try NIOSSLContext(configuration: configuration.tls)
    }

    /// Delivers one rendered message to its recipients; throws `SMTPError`.
    public func send(_ mail: RenderedMail) async throws {
        let channel = try await connect()
        do {
            try await channel.executeThenClose { inbound, outbound in
                var conversation = SMTPConversation(
                    channel: channel.channel, inbound: inbound, outbound: outbound, timeout: self.timeout)
                do {
                    try await self.deliver(mail, over: &conversation)
                } catch let error as SMTPError where error.reply != nil {
                    // Leave politely when the server refused something; the refusal is what the caller reads.
                    _ = try? await conversation.command("QUIT", stage: "QUIT")
                    throw error
                }
            }
        } catch {
            throw Self.smtpError(error, host: configuration.host, port: configuration.port)
        }
    }

    private var timeout: TimeAmount { .milliseconds(Int64(configuration.timeout * 1000)) }

    private func deliver(_ mail: RenderedMail, over conversation: inout SMTPConversation) async throws {
        let greeting = try await conversation.reply()
        guard greeting.code == 220 else { throw SMTPError.unexpectedReply(during: "the greeting", reply: greeting) }
        var capabilities = try await hello(&conversation)

        if configuration.security == .starttls {
            guard capabilities.keywords.contains("STARTTLS") else { throw SMTPError.startTLSNotOffered }
            let ready = try await conversation.command("STARTTLS", stage: "STARTTLS")
            guard ready.code == 220 else { throw SMTPError.unexpectedReply(during: "STARTTLS", reply: ready) }
            try await startTLS(on: conversation.channel, consumed: conversation.consumed)
            // RFC 3207: forget what was offered before TLS and ask again.
            capabilities = try await hello(&conversation)
        }
        if let credentials = configuration.credentials {
            guard configuration.security != .none else { throw SMTPError.authenticationRequiresEncryption }
            try await authenticate(credentials, offered: capabilities, over: &conversation)
        }

        let sender = configuration.sender ?? mail.sender
        let accepted = try await conversation.command("MAIL FROM:<\(sender)>", stage: "MAIL FROM")
        guard accepted.code == 250 else { throw SMTPError.senderRefused(accepted) }
        for recipient in mail.recipients {
            let reply = try await conversation.command("RCPT TO:<\(recipient)>", stage: "RCPT TO")
            guard reply.code == 250 || reply.code == 251 else { throw SMTPError.recipientRefused(address: recipient, reply: reply) }
        }
        let go = try await conversation.command("DATA", stage: "DATA")
        guard go.code == 354 else { throw SMTPError.messageRefused(go) }
        let stored = try await conversation.data(SMTPData.encode(mail.text))
        guard stored.code == 250 else { throw SMTPError.messageRefused(stored) }
        _ = try? await conversation.command("QUIT", stage: "QUIT")
    }

    /// EHLO, or HELO (no extensions) from a server that does not know EHLO.
    private func hello(_ conversation: inout SMTPConversation) async throws -> SMTPCapabilities {
        let ehlo = try await conversation.command("EHLO \(configuration.heloName)", stage: "EHLO")
        if ehlo.code == 250 { return SMTPCapabilities(ehlo: ehlo) }
        guard ehlo.isPermanent else { throw SMTPError.unexpectedReply(during: "EHLO", reply: ehlo) }
        let helo = try await conversation.command("HELO \(configuration.heloName)", stage: "HELO")
        guard helo.code == 250 else { throw SMTPError.unexpectedReply(during: "HELO", reply: helo) }
        return SMTPCapabilities()
    }

    private func authenticate(
        _ credentials: SMTPConfiguration.Credentials, offered: SMTPCapabilities, over conversation: inout SMTPConversation
    ) async throws {
        func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        let done: SMTPReply
        if offered.authMechanisms.contains("PLAIN") {
            done = try await conversation.command(
                "AUTH PLAIN " + base64("\u{0}\(credentials.username)\u{0}\(credentials.password)"), stage: "AUTH PLAIN")
        } else if offered.authMechanisms.contains("LOGIN") {
            let user = try await conversation.command("AUTH LOGIN", stage: "AUTH LOGIN")
            guard user.code == 334 else { throw SMTPError.authenticationRefused(user) }
            let password = try await conversation.command(base64(credentials.username), stage: "AUTH LOGIN")
            guard password.code == 334 else { throw SMTPError.authenticationRefused(password) }
            done = try await conversation.command(base64(credentials.password), stage: "AUTH LOGIN")
        } else {
            throw SMTPError.authenticationNotOffered
        }
        guard done.code == 235 else { throw SMTPError.authenticationRefused(done) }
    }

    private func connect() async throws -> NIOAsyncChannel<SMTPReply, ByteBuffer> {
        let implicitTLS = configuration.security == .tls ? tlsContext : nil
        let serverName = serverNameIndication
        do {
            return try await ClientBootstrap(group: group)
                .connectTimeout(timeout)
                .connect(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let implicitTLS {
                            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: implicitTLS, serverHostname: serverName))
                        }
                        try channel.pipeline.syncOperations.addHandler(SMTPReplyDecoder())
                        return try NIOAsyncChannel<SMTPReply, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw SMTPError.connectionFailed(host: configuration.host, port: configuration.port, reason: Self.reason(error))
        }
    }

    /// Puts TLS under the reply decoder once the server has said 220 to STARTTLS. Anything read beyond that 220
    /// came before the handshake, unprotected (a man in the middle's injection): refused.
    private func startTLS(on channel: any Channel, consumed: Int) async throws {
        guard let tlsContext else { throw SMTPError.tlsFailed(reason: "no TLS configuration") }
        let serverName = serverNameIndication
        try await channel.eventLoop.submit {
            guard try channel.pipeline.syncOperations.handler(type: SMTPReplyDecoder.self).isDrained(consumed: consumed) else {
                throw SMTPError.tlsFailed(reason: "the server sent more than its reply to STARTTLS before the handshake")
            }
            try channel.pipeline.syncOperations.addHandler(
                NIOSSLClientHandler(context: tlsContext, serverHostname: serverName), position: .first)
        }.get()
    }

    /// The host name for SNI and certificate checks; none for an address literal.
    private var serverNameIndication: String? {
        (try? SocketAddress(ipAddress: configuration.host, port: 0)) == nil ? configuration.host : nil
    }

    static func smtpError(_ error: any Error, host: String, port: Int) -> SMTPError {
        switch error {
        case let smtp as SMTPError: return smtp
        case is SMTPReplyDecoder.MalformedReply: return .malformedReply
        case is NIOSSLError, is BoringSSLError, is NIOSSLExtraError: return .tlsFailed(reason: reason(error))
        default:
            if let channelError = error as? ChannelError, channelError == .eof || channelError == .ioOnClosedChannel
                || channelError == .alreadyClosed { return .connectionClosed(during: "the conversation") }
            return .connectionFailed(host: host, port: port, reason: reason(error))
        }
    }

    static func reason(_ error: any Error) -> String { String(describing: error) }
}
