import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A webhook receiver inside the load generator: answers 200 at once and records, for every delivery, the delay
/// from its event's creation (the body's `timestamp`) to its arrival.
final class WebhookReceiver: Sendable {
    private struct State {
        var delays: [Double] = []
        var ids = Set<String>()
        var duplicates = 0
    }

    private let state = NIOLockedValueBox(State())
    private let channel: any Channel
    let port: Int

    private init(channel: any Channel) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
    }

    static func start() async throws -> WebhookReceiver {
        let box = NIOLockedValueBox<WebhookReceiver?>(nil)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(record: { id, body in box.withLockedValue { $0 }?.record(id: id, body: body) }))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let receiver = WebhookReceiver(channel: channel)
        box.withLockedValue { $0 = receiver }
        return receiver
    }

    func stop() async { try? await channel.close() }

    var received: Int { state.withLockedValue { $0.ids.count } }
    var duplicates: Int { state.withLockedValue { $0.duplicates } }

    /// The delays recorded since the last call, in seconds.
    func takeDelays() -> [Double] {
        state.withLockedValue { state in defer { state.delays = [] }; return state.delays }
    }

    private func record(id: String?, body: [UInt8]) {
        let arrived = Date()
        guard let created = Self.timestamp(in: body) else { return }
        state.withLockedValue { state in
            if let id, !state.ids.insert(id).inserted { state.duplicates += 1 }
            state.delays.append(arrived.timeIntervalSince(created))
        }
    }

    /// The body's `"timestamp":"2026-12-01T09:30:00.123Z"`, read without a JSON decoder or a date formatter, so
    /// the receiver takes as little of the machine's CPU as it can.
    static func timestamp(in body: [UInt8]) -> Date? {
        let marker = Array(#""timestamp":""#.utf8)
        guard body.count > marker.count + 24,
              let start = (0...(body.count - marker.count)).first(where: { body[$0..<($0 + marker.count)].elementsEqual(marker) })
        else { return nil }
        let text = body[(start + marker.count)...].prefix(24)
        func number(_ from: Int, _ length: Int) -> Int? {
            let slice = text.dropFirst(from).prefix(length)
            guard slice.count == length, slice.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
            return slice.reduce(0) { $0 * 10 + Int($1 - 48) }
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
              let minute = number(14, 2), let second = number(17, 2), let millis = number(20, 3)
        else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        return Date(timeIntervalSince1970: Double(timegm(&parts)) + Double(millis) / 1000)
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        private let record: @Sendable (String?, [UInt8]) -> Void
        private var body: [UInt8] = []
        private var id: String?
        private var keepAlive = true

        init(record: @escaping @Sendable (String?, [UInt8]) -> Void) { self.record = record }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                body = []
                id = head.headers.first(name: "webhook-id")
                keepAlive = head.isKeepAlive
            case .body(var chunk):
                body += chunk.readBytes(length: chunk.readableBytes) ?? []
            case .end:
                record(id, body)
                var headers = HTTPHeaders([("content-length", "2")])
                if !keepAlive { headers.add(name: "connection", value: "close") }
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "ok")))), promise: nil)
                let keep = keepAlive
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in if !keep { context.close(promise: nil) } }
            }
        }
    }
}
