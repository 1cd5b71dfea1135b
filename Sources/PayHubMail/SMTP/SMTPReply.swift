import NIOCore

/// One server reply: a three-digit code and its text lines (a multi-line reply has several, `250-...` then `250 ...`).
public struct SMTPReply: Sendable, Hashable, CustomStringConvertible {
    public var code: Int
    public var lines: [String]

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    public var isPositive: Bool { (200..<400).contains(code) }
    /// 4xx: the server may accept the same thing later.
    public var isTransient: Bool { (400..<500).contains(code) }
    /// 5xx: trying again will not help.
    public var isPermanent: Bool { (500..<600).contains(code) }

    public var description: String { "\(code) " + lines.joined(separator: " / ") }
}

/// Splits the server's bytes into replies. A reply line is `DDD-text` (more follow) or `DDD text` / `DDD` (last).
/// It counts the replies it passes on, so that STARTTLS can check nothing was read beyond the server's 220.
final class SMTPReplyDecoder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = SMTPReply

    /// RFC 5321 allows 512 octets per reply line; servers write longer ones, so allow some room but not unbounded.
    static let lineLimit = 4096
    static let linesLimit = 200

    private var buffer = ByteBuffer()
    private var pending: [String] = []
    private(set) var emitted = 0

    struct MalformedReply: Error {}

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        buffer.writeBuffer(&incoming)
        do {
            while let reply = try nextReply() {
                emitted += 1
                context.fireChannelRead(wrapInboundOut(reply))
            }
            if buffer.readerIndex > 4096 { buffer.discardReadBytes() }
        } catch {
            context.fireErrorCaught(error)
            context.close(promise: nil)
        }
    }

    /// Whether everything read so far has been consumed: `consumed` replies, and no byte or line beyond them.
    func isDrained(consumed: Int) -> Bool {
        emitted == consumed && buffer.readableBytes == 0 && pending.isEmpty
    }

    private func nextReply() throws -> SMTPReply? {
        while let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - buffer.readerIndex
            guard length <= Self.lineLimit, var line = buffer.readString(length: length) else { throw MalformedReply() }
            buffer.moveReaderIndex(forwardBy: 1)
            if line.hasSuffix("\r") { line.removeLast() }
            let bytes = Array(line.utf8)
            guard bytes.count >= 3, bytes[0...2].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
                  let code = Int(String(decoding: bytes[0...2], as: UTF8.self)),
                  bytes.count == 3 || bytes[3] == UInt8(ascii: " ") || bytes[3] == UInt8(ascii: "-")
            else { throw MalformedReply() }
            pending.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
            guard pending.count <= Self.linesLimit else { throw MalformedReply() }
            if bytes.count > 3 && bytes[3] == UInt8(ascii: "-") { continue }
            defer { pending = [] }
            return SMTPReply(code: code, lines: pending)
        }
        if buffer.readableBytes > Self.lineLimit { throw MalformedReply() }
        return nil
    }
}
