/// An email to render and send: one sender, recipients, a subject, a text body and (usually) an HTML body.
public struct MailMessage: Sendable, Hashable {
    public var from: MailAddress
    public var to: [MailAddress]
    public var replyTo: MailAddress?
    public var subject: String
    public var textBody: String
    /// With an HTML body the message is `multipart/alternative` (text, then HTML); without, plain text.
    public var htmlBody: String?
    /// Further headers (`X-...`, `List-Unsubscribe`...); the ones the renderer writes itself are refused.
    public var extraHeaders: [Header]
    /// Files sent with it; with any, the message is `multipart/mixed` (the body, then each file in base64).
    public var attachments: [MailAttachment]

    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(
        from: MailAddress, to: [MailAddress], replyTo: MailAddress? = nil, subject: String, textBody: String, htmlBody: String? = nil,
        extraHeaders: [Header] = [], attachments: [MailAttachment] = []
    ) {
        self.attachments = attachments
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.extraHeaders = extraHeaders
    }
}

/// Why a message cannot be rendered. Nothing was sent.
public enum MailMessageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A CR or LF in a header value or address: it would let the text write headers of its own.
    case lineBreakInHeader(field: String)
    case invalidAddress(field: String, address: String)
    case invalidHeaderName(String)
    /// A header the renderer writes itself (`From`, `Date`, `Content-Type`...).
    case reservedHeader(String)
    case noRecipients
    case invalidMessageID(String)
    /// An attachment's file name or media type that a header cannot carry as it is (quotes, line breaks, non-ASCII).
    case invalidAttachment(String)

    public var description: String {
        switch self {
        case .lineBreakInHeader(let field): "The \(field) header contains a line break, which is refused."
        case .invalidAddress(let field, _): "The \(field) address is not a plain name@domain address."
        case .invalidHeaderName(let name): "'\(name)' is not a valid header name."
        case .reservedHeader(let name): "The \(name) header is written by the renderer and cannot be set."
        case .noRecipients: "The message has no recipient."
        case .invalidMessageID(let id): "'\(id)' cannot be used in a Message-ID."
        case .invalidAttachment(let name): "The attachment '\(name)' needs a plain ASCII file name and media type."
        }
    }
}

/// A file attached to a message, e.g. an invoice's PDF.
public struct MailAttachment: Sendable, Hashable {
    /// Printable ASCII without quotes or backslashes, e.g. `F-2026-000123.pdf`.
    public var filename: String
    /// `type/subtype`, e.g. `application/pdf`.
    public var mediaType: String
    public var bytes: [UInt8]

    public init(filename: String, mediaType: String, bytes: [UInt8]) {
        self.filename = filename
        self.mediaType = mediaType
        self.bytes = bytes
    }
}
