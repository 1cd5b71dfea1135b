import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore

/// Renders hosted checkout pages at a chosen concurrency: creates sessions (line items with tax, the merchant's
/// rules and theme apply) by API, then opens their pages as customers' browsers would, and prints pages per second
/// and latency percentiles. A load generator, not a test.
struct CheckoutPageBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkout-page", abstract: "Measure how fast the hosted checkout page renders against a running PayHub.")

    @Option(help: "PayHub's base URL.") var url = "http://127.0.0.1:8080"
    @Option(help: "A test-mode secret key (sk_test_...).") var key: String
    @Option(help: "Concurrent browsers.") var concurrency = 32
    @Option(help: "Sessions whose pages are opened in turn.") var sessions = 64
    @Option(help: "Seconds to measure, after a warm-up.") var duration = 15.0
    @Option(help: "Seconds of warm-up, not measured.") var warmup = 3.0
    @Option(help: "PID of the server, to report its peak memory (VmHWM).") var serverPid: Int32?

    struct Session: Decodable { var url: String }

    func run() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            try await measure(client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    private func measure(_ client: HTTPClient) async throws {
        let api = Payer(client: client, base: url, key: key)
        let order = #"{"currency": "EUR", "line_items": [{"name": "Espresso cups", "quantity": 2, "unit_amount": 1250, "tax_rate": 2200, "category": "kitchen"}, {"name": "Coffee beans 1 kg", "quantity": 1, "unit_amount": 2490, "tax_rate": 1000}], "customer": {"name": "Ada Lovelace", "email": "ada@example.com"}, "locale": "auto"}"#
        var pages: [String] = []
        for _ in 0..<sessions {
            pages.append(try JSONDecoder().decode(Session.self, from: Data(try await api.post("/v1/checkout_sessions", order, expect: 201))).url)
        }
        let urls = pages
        let counter = RoundRobin(count: urls.count)
        let open: @Sendable () async throws -> Void = {
            var request = HTTPClientRequest(url: urls[counter.next()])
            request.headers.add(name: "Accept-Language", value: "it-IT,it;q=0.9,en;q=0.5")
            let response = try await client.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 20)
            guard response.status.code == 200, body.readableBytes > 1000 else {
                throw Payer.BenchError(description: "checkout page: HTTP \(response.status.code)")
            }
        }
        _ = try await Load.run(concurrency: concurrency, seconds: warmup, open)
        let started = ContinuousClock.now
        let result = try await Load.run(concurrency: concurrency, seconds: duration, open)
        let seconds = Load.seconds(ContinuousClock.now - started)
        let latencies = result.latencies.sorted()
        print(String(format: "checkout page, concurrency %d: %d pages in %.1f s = %.0f pages/s; latency p50 %.1f ms, p95 %.1f ms, p99 %.1f ms; errors %d",
                     concurrency, latencies.count, seconds, Double(latencies.count) / seconds, Load.percentile(latencies, 0.50) * 1000,
                     Load.percentile(latencies, 0.95) * 1000, Load.percentile(latencies, 0.99) * 1000, result.errors))
        if let serverPid, let peak = Load.peakMemory(pid: serverPid) {
            print("server peak memory (VmHWM): \(peak / 1024) MB")
        }
    }
}

/// Hands out indexes 0..<count in turn, across tasks.
final class RoundRobin: @unchecked Sendable {
    private let lock = NSLock()
    private var position = 0
    let count: Int

    init(count: Int) { self.count = count }

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        position = (position + 1) % count
        return position
    }
}
