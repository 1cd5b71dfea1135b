import NIOCore

/// The command-and-reply half of one SMTP connection: writes a line, waits (with a deadline) for the reply.
struct SMTPConversation {
    let channel: any Channel
    var replies: NIOAsyncChannelInboundStream<SMTPReply>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let timeout: TimeAmount
    /// What is being waited for, for error messages ("MAIL FROM", "the greeting"...).
    private(set) var stage = "the greeting"
    /// Replies read so far.
    private(set) var consumed = 0

    init(channel: any Channel, inbound: NIOAsyncChannelInboundStream<SMTPReply>, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
         timeout: TimeAmount) {
        self.channel = channel
        self.replies = inbound.makeAsyncIterator()
        self.outbound = outbound
        self.timeout = timeout
    }

    /// The next reply. A reply that does not come in time ends the connection with `timedOut`.
    mutating func reply() async throws -> SMTPReply {
        let stage = self.stage
        let pipeline = channel.pipeline
        let timer = channel.eventLoop.scheduleTask(in: timeout) { pipeline.fireErrorCaught(SMTPError.timedOut(during: stage)) }
        defer { timer.cancel() }
        guard let reply = try await replies.next() else { throw SMTPError.connectionClosed(during: stage) }
        consumed += 1
        return reply
    }

    /// Sends one command line; `stage` names it in errors (and keeps credentials out of them).
    mutating func command(_ line: String, stage: String) async throws -> SMTPReply {
        self.stage = stage
        try await outbound.write(ByteBuffer(string: line + "\r\n"))
        return try await reply()
    }

    /// Sends the message text (already dot-stuffed and terminated).
    mutating func data(_ text: String) async throws -> SMTPReply {
        stage = "the message data"
        try await outbound.write(ByteBuffer(string: text))
        return try await reply()
    }
}

/// What the server's EHLO reply offers.
struct SMTPCapabilities: Equatable {
    var keywords: Set<String> = []
    var authMechanisms: Set<String> = []

    init() {}

    init(ehlo reply: SMTPReply) {
        for line in reply.lines.dropFirst() {
            let words = line.uppercased().split(separator: " ").map(String.init)
            guard let first = words.first else { continue }
            if first == "AUTH" || first.hasPrefix("AUTH=") {
                authMechanisms.formUnion(first.hasPrefix("AUTH=") ? [String(first.dropFirst(5))] + words.dropFirst() : Array(words.dropFirst()))
                keywords.insert("AUTH")
            } else {
                keywords.insert(first)
            }
        }
    }
}
