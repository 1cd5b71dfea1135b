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
        struct Envelope: Decodable { var timestamp: String }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: Data(body)),
              let created = formatter.date(from: envelope.timestamp)
        else { return }
        state.withLockedValue { state in
            if let id, !state.ids.insert(id).inserted { state.duplicates += 1 }
            state.delays.append(arrived.timeIntervalSince(created))
        }
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
