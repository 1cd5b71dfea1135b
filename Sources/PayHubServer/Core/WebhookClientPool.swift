import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// HTTP clients for webhook receivers, one per receiver origin and checked address, so deliveries to one receiver
/// reuse their connections. A client only ever connects to the address it was made for (`dnsOverride`), so a new
/// DNS answer gets a new client, checked again, never an old connection pointed elsewhere. Idle clients are
/// shut down; the pool is bounded.
final class WebhookClientPool: Sendable {
    struct Key: Hashable, Sendable {
        var scheme: String
        var host: String
        var port: Int?
        /// The checked address to connect to; nil when the host is itself a strict address literal.
        var address: String?
    }

    private struct Entry {
        var client: HTTPClient
        var lastUsed: Date
    }

    static let idleLifetime: TimeInterval = 60
    static let capacity = 256

    private struct State {
        var entries: [Key: Entry] = [:]
        var lastSweep = Date.distantPast
    }

    private let eventLoopGroup: any EventLoopGroup
    private let state = NIOLockedValueBox(State())

    init(eventLoopGroup: any EventLoopGroup) {
        self.eventLoopGroup = eventLoopGroup
    }

    /// The client for `key`, made on first use; clients idle too long (or beyond capacity) are shut down.
    func client(for key: Key, now: Date = Date()) -> HTTPClient {
        let (client, retired) = state.withLockedValue { state -> (HTTPClient, [HTTPClient]) in
            var retired: [HTTPClient] = []
            // Idle clients are looked for now and then, not on every delivery.
            if now.timeIntervalSince(state.lastSweep) > Self.idleLifetime / 4 {
                state.lastSweep = now
                for (staleKey, entry) in state.entries where now.timeIntervalSince(entry.lastUsed) > Self.idleLifetime {
                    retired.append(entry.client)
                    state.entries[staleKey] = nil
                }
            }
            if var entry = state.entries[key] {
                entry.lastUsed = now
                state.entries[key] = entry
                return (entry.client, retired)
            }
            if state.entries.count >= Self.capacity, let oldest = state.entries.min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
                retired.append(oldest.value.client)
                state.entries[oldest.key] = nil
            }
            let client = Self.makeClient(for: key, on: eventLoopGroup)
            state.entries[key] = Entry(client: client, lastUsed: now)
            return (client, retired)
        }
        for stale in retired { stale.shutdown { _ in } }
        return client
    }

    /// Shuts every client down (at PayHub's shutdown).
    func shutdown() async {
        let all = state.withLockedValue { state in defer { state.entries = [:] }; return state.entries.values.map(\.client) }
        for client in all { try? await client.shutdown() }
    }

    private static func makeClient(for key: Key, on group: any EventLoopGroup) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5))
        configuration.proxy = nil
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 32)
        if let address = key.address { configuration.dnsOverride = [key.host: address] }
        return HTTPClient(eventLoopGroupProvider: .shared(group), configuration: configuration)
    }
}
