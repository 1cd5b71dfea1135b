import Foundation
import NIOCore
import NIOPosix

/// Sends one email. The SMTP transport for production, outboxes for the demo and tests.
public protocol MailTransport: Sendable {
    /// Renders and sends `message`; returns its `Message-ID`. Throws `MailMessageError` for a message that cannot be
    /// sent at all, and the transport's own errors (`SMTPError`: see `isTransient`) otherwise.
    @discardableResult
    func send(_ message: MailMessage) async throws -> MailReceipt
}

public struct MailReceipt: Sendable, Hashable {
    public var messageID: String
    public init(messageID: String) { self.messageID = messageID }
}

/// Sends through an SMTP server.
public struct SMTPMailTransport: MailTransport {
    public let renderer: MailRenderer
    public let client: SMTPClient

    public init(renderer: MailRenderer, configuration: SMTPConfiguration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws {
        self.renderer = renderer
        self.client = try SMTPClient(configuration: configuration, eventLoopGroup: eventLoopGroup)
    }

    @discardableResult
    public func send(_ message: MailMessage) async throws -> MailReceipt {
        let rendered = try renderer.render(message)
        try await client.send(rendered)
        return MailReceipt(messageID: rendered.messageID)
    }
}
