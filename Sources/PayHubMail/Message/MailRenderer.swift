import Foundation

/// A message as it travels: the RFC 5322 text (CRLF line endings, 7-bit) and its envelope.
public struct RenderedMail: Sendable, Hashable {
    /// `<token@domain>`, as in the `Message-ID` header.
    public var messageID: String
    public var sender: String
    public var recipients: [String]
    public var text: String

    public var bytes: [UInt8] { Array(text.utf8) }
}

/// Renders `MailMessage`s to RFC 5322 text. The time and the unique token of each `Message-ID` are injected.
public struct MailRenderer: Sendable {
    /// The right-hand side of every `Message-ID`.
    public var domain: String
    public var now: @Sendable () -> Date
    /// A unique, unguessable token per message (letters and digits).
    public var uniqueToken: @Sendable () -> String

    public init(domain: String, now: @escaping @Sendable () -> Date, uniqueToken: @escaping @Sendable () -> String) {
        self.domain = domain
        self.now = now
        self.uniqueToken = uniqueToken
    }

    static let reservedHeaders: Set<String> = [
        "from", "to", "cc", "bcc", "reply-to", "subject", "date", "message-id", "mime-version", "content-type",
        "content-transfer-encoding", "sender",
    ]

    public func render(_ message: MailMessage) throws(MailMessageError) -> RenderedMail {
        try validate(message)
        let token = uniqueToken()
        guard !token.isEmpty, token.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) })
        else { throw .invalidMessageID(token) }
        let messageID = "<\(token)@\(domain)>"

        var head = ""
        head += HeaderText.line("Date", tokens: [MailDate.format(now())])
        head += HeaderText.line("Message-ID", tokens: [messageID])
        head += HeaderText.line("From", tokens: HeaderText.mailboxTokens(message.from))
        head += HeaderText.line("To", tokens: HeaderText.mailboxListTokens(message.to))
        if let replyTo = message.replyTo { head += HeaderText.line("Reply-To", tokens: HeaderText.mailboxTokens(replyTo)) }
        head += HeaderText.line("Subject", tokens: HeaderText.unstructuredTokens(message.subject))
        for header in message.extraHeaders {
            head += HeaderText.line(header.name, tokens: HeaderText.unstructuredTokens(header.value))
        }
        head += "MIME-Version: 1.0\r\n"

        let text = MailBodyPart(mediaType: "text/plain", content: message.textBody)
        let content: (headers: String, body: String)
        if let html = message.htmlBody {
            let boundary = "=_PayHub_" + token
            let parts = [text, MailBodyPart(mediaType: "text/html", content: html)]
            content = (
                "Content-Type: multipart/alternative;\r\n boundary=\"\(boundary)\"\r\n",
                "This is a multi-part message in MIME format.\r\n"
                    + parts.map { part in
                        let encoded = part.encoded(avoiding: boundary)
                        return "\r\n--\(boundary)\r\n" + encoded.headers + "\r\n" + encoded.body
                    }.joined()
                    + "\r\n--\(boundary)--\r\n")
        } else {
            content = text.encoded(avoiding: message.attachments.isEmpty ? nil : "=_PayHub_mixed_" + token)
        }
        let body: String
        if message.attachments.isEmpty {
            head += content.headers
            body = content.body
        } else {
            // The body first, then each file; base64 never holds a `-`, so no file can contain the boundary.
            let boundary = "=_PayHub_mixed_" + token
            head += "Content-Type: multipart/mixed;\r\n boundary=\"\(boundary)\"\r\n"
            body = "This is a multi-part message in MIME format.\r\n"
                + "\r\n--\(boundary)\r\n" + content.headers + "\r\n" + content.body
                + message.attachments.map { file in
                    "\r\n--\(boundary)\r\n"
                        + "Content-Type: \(file.mediaType); name=\"\(file.filename)\"\r\n"
                        + "Content-Transfer-Encoding: base64\r\n"
                        + "Content-Disposition: attachment; filename=\"\(file.filename)\"\r\n\r\n"
                        + Self.base64Lines(file.bytes)
                }.joined()
                + "\r\n--\(boundary)--\r\n"
        }
        return RenderedMail(
            messageID: messageID, sender: message.from.address, recipients: message.to.map(\.address), text: head + "\r\n" + body)
    }

    private func validate(_ message: MailMessage) throws(MailMessageError) {
        guard !message.to.isEmpty else { throw .noRecipients }
        try message.from.validate(field: "From")
        for recipient in message.to { try recipient.validate(field: "To") }
        try message.replyTo?.validate(field: "Reply-To")
        if message.subject.contains(where: \.isLineBreak) { throw .lineBreakInHeader(field: "Subject") }
        for header in message.extraHeaders {
            guard !header.name.isEmpty, header.name.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value < 127 && $0 != ":" })
            else { throw .invalidHeaderName(header.name) }
            guard !Self.reservedHeaders.contains(header.name.lowercased()) else { throw .reservedHeader(header.name) }
            if header.value.contains(where: \.isLineBreak) { throw .lineBreakInHeader(field: header.name) }
        }
        for file in message.attachments {
            let plain: (String) -> Bool = { text in
                !text.isEmpty && text.count <= 200 && text.unicodeScalars.allSatisfy { $0.value >= 32 && $0.value < 127 && $0 != "\"" && $0 != "\\" }
            }
            guard plain(file.filename), file.mediaType.wholeMatch(of: /[a-z]+\/[a-z0-9.+-]+/) != nil else { throw .invalidAttachment(file.filename) }
        }
    }

    /// Base64 in lines of 76 characters (RFC 2045), each ending in CRLF.
    static func base64Lines(_ bytes: [UInt8]) -> String {
        let encoded = Data(bytes).base64EncodedString()
        var lines = ""
        lines.reserveCapacity(encoded.utf8.count + encoded.utf8.count / 76 * 2 + 2)
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines += encoded[index..<end] + "\r\n"
            index = end
        }
        return lines
    }
}

/// One text part: 7-bit as it is when it can be, quoted-printable otherwise.
struct MailBodyPart {
    var mediaType: String
    var lines: [Substring]
    var isSevenBit: Bool

    /// RFC 5322's limit is 998 characters; longer lines are quoted-printable encoded.
    static let sevenBitLineLimit = 998

    init(mediaType: String, content: String) {
        self.mediaType = mediaType
        // Every line break (CRLF, LF or a lone CR) becomes CRLF when the lines are joined again.
        var lines = content.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false)
        if lines.count > 1, lines.last?.isEmpty == true { lines.removeLast() }
        self.lines = lines
        self.isSevenBit = lines.allSatisfy { line in
            line.utf8.count <= Self.sevenBitLineLimit && line.utf8.allSatisfy { $0 < 0x80 && $0 != 0 }
        }
    }

    /// The part's headers and body; a 7-bit body that happens to contain the boundary is quoted-printable instead
    /// (which encodes the boundary's `=`).
    func encoded(avoiding boundary: String?) -> (headers: String, body: String) {
        let plain = isSevenBit && !(boundary.map { b in lines.contains { $0.contains(b) } } ?? false)
        let headers = "Content-Type: \(mediaType); charset=utf-8\r\nContent-Transfer-Encoding: \(plain ? "7bit" : "quoted-printable")\r\n"
        return (headers, plain ? lines.joined(separator: "\r\n") + "\r\n" : QuotedPrintable.encode(lines: lines))
    }
}
