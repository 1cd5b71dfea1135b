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
struct SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReply

    /// RFC 5321 allows 512 octets per reply line; servers write longer ones, so allow some room but not unbounded.
    static let lineLimit = 4096
    static let linesLimit = 200

    private var pending: [String] = []

    struct MalformedReply: Error {}

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > Self.lineLimit { throw MalformedReply() }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex
        guard length <= Self.lineLimit, var line = buffer.readString(length: length) else { throw MalformedReply() }
        buffer.moveReaderIndex(forwardBy: 1)
        if line.hasSuffix("\r") { line.removeLast() }
        let bytes = Array(line.utf8)
        guard bytes.count >= 3, bytes[0...2].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let code = Int(String(decoding: bytes[0...2], as: UTF8.self)), bytes.count == 3 || bytes[3] == UInt8(ascii: " ") || bytes[3] == UInt8(ascii: "-")
        else { throw MalformedReply() }
        let text = bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : ""
        pending.append(text)
        guard pending.count <= Self.linesLimit else { throw MalformedReply() }
        if bytes.count > 3 && bytes[3] == UInt8(ascii: "-") { return .continue }
        context.fireChannelRead(wrapInboundOut(SMTPReply(code: code, lines: pending)))
        pending = []
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}
