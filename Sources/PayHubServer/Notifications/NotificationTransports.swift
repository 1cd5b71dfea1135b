import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import PayHubCore
import PayHubMail

/// Builds the mail transport and SMS gateway the configuration names.
enum NotificationTransports {
    /// Dates and Message-IDs from the injected clock and ids; Message-IDs on the sender's domain.
    static func renderer(config: PayHubConfig, clock: any WallClock, ids: any IDGenerator) -> MailRenderer {
        MailRenderer(
            domain: String(config.mail.from.address.split(separator: "@").last ?? "localhost"),
            now: { clock.now() }, uniqueToken: { ids.randomToken(length: 24) })
    }

    static func mail(config: PayHubConfig, renderer: MailRenderer, eventLoopGroup: any EventLoopGroup, logger: Logger) throws -> any MailTransport {
        switch config.mail.delivery {
        case .smtp(let smtp):
            logger.info("email goes through \(smtp)")
            return try SMTPMailTransport(renderer: renderer, configuration: smtp, eventLoopGroup: eventLoopGroup)
        case .outbox(let directory):
            return DirectoryMailOutbox(renderer: renderer, directory: URL(fileURLWithPath: directory)) { path, message in
                logger.notice("email to \(message.to.map(\.address).joined(separator: ", ")) written to \(path) (PAYHUB_SMTP_HOST is not set)")
            }
        }
    }

    static func sms(config: PayHubConfig, client: HTTPClient, ids: any IDGenerator, logger: Logger) -> any SMSGateway {
        switch config.sms {
        case .log: LogSMSGateway(logger: logger, ids: ids)
        case .twilio(let credentials, let sender):
            TwilioSMSGateway(client: client, credentials: credentials, sender: sender, statusCallback: config.smsStatusCallbackURL)
        }
    }
}
