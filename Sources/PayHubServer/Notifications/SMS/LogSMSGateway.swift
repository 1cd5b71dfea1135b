import Foundation
import Logging
import NIOConcurrencyHelpers
import PayHubCore

/// The demo's gateway: nothing leaves the machine; each message is logged and kept, so tests and the demo read it.
public final class LogSMSGateway: SMSGateway {
    public struct Sent: Sendable, Equatable {
        public var to: String
        public var text: String
        public var messageID: String
    }

    private let logger: Logger
    private let ids: any IDGenerator
    private let recorded = NIOLockedValueBox<[Sent]>([])

    public init(logger: Logger = Logger(label: "payhub.sms"), ids: any IDGenerator = SecureRandomIDGenerator()) {
        self.logger = logger
        self.ids = ids
    }

    public var sent: [Sent] { recorded.withLockedValue { $0 } }

    public func send(to: String, text: String) async throws -> SMSReceipt {
        let id = "log_" + ids.randomToken(length: 24)
        recorded.withLockedValue { $0.append(Sent(to: to, text: text, messageID: id)) }
        logger.notice("SMS (log gateway, not sent)", metadata: ["to": "\(to)", "id": "\(id)", "text": "\(text)"])
        return SMSReceipt(messageID: id, status: .sent)
    }
}
