/// Sends one text message. Twilio in production, the log gateway for the demo and tests.
public protocol SMSGateway: Sendable {
    /// Sends `text` to `to` (E.164, `+15551234567`); throws `SMSGatewayError`.
    func send(to: String, text: String) async throws -> SMSReceipt
}

/// What the gateway said about an accepted message.
public struct SMSReceipt: Sendable, Equatable {
    /// The gateway's id of the message (Twilio's `SM...` sid).
    public var messageID: String
    public var status: SMSStatus

    public init(messageID: String, status: SMSStatus) {
        self.messageID = messageID
        self.status = status
    }
}

/// A message's state at the gateway (Twilio's documented values).
public enum SMSStatus: String, Sendable, CaseIterable {
    case accepted, scheduled, queued, sending, sent, delivered, undelivered, failed, canceled, read
    case receiving, received
    case partiallyDelivered = "partially_delivered"
}

extension SMSStatus {
    /// How far along a message is: reports only move it forward (Twilio's callbacks may arrive out of order).
    var stage: Int {
        switch self {
        case .accepted, .scheduled, .receiving: 0
        case .queued, .received: 1
        case .sending: 2
        case .sent: 3
        case .delivered, .undelivered, .failed, .canceled, .partiallyDelivered: 4
        case .read: 5
        }
    }

    var reachedRecipient: Bool { self == .delivered || self == .read || self == .partiallyDelivered }
}

/// Why the gateway did not take a message. `isTransient` tells whether trying again later may work.
public enum SMSGatewayError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The gateway answered with an error (Twilio's `code`, `message` and `more_info`).
    case refused(httpStatus: Int, code: Int?, message: String, moreInfo: String?)
    /// No answer: the connection failed or timed out.
    case unreachable(reason: String)
    /// An answer this gateway cannot read.
    case unexpectedResponse(httpStatus: Int)

    public var isTransient: Bool {
        switch self {
        case .refused(let status, _, _, _): status == 429 || status >= 500
        case .unreachable: true
        case .unexpectedResponse(let status): status >= 500
        }
    }

    public var description: String {
        switch self {
        case .refused(let status, let code, let message, _): "The SMS gateway refused the message (HTTP \(status)\(code.map { ", code \($0)" } ?? "")): \(message)"
        case .unreachable(let reason): "The SMS gateway could not be reached: \(reason)"
        case .unexpectedResponse(let status): "The SMS gateway answered HTTP \(status) with a body PayHub cannot read"
        }
    }
}
