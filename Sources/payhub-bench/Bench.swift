import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Drives complete payments (create an intent, attempt it with `tok_visa`) against a running PayHub at a chosen
/// concurrency, then prints throughput and latency percentiles. A load generator, not a test.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payments", abstract: "Measure complete payments per second against a running PayHub.")

    @Option(help: "PayHub's base URL.") var url = "http://127.0.0.1:8080"
    @Option(help: "A test-mode secret key (sk_test_...).") var key: String
    @Option(help: "Concurrent clients.") var concurrency = 32
    @Option(help: "Seconds to measure, after a warm-up.") var duration = 20.0
    @Option(help: "Seconds of warm-up, not measured.") var warmup = 3.0
    @Option(help: "PID of the server, to report its peak memory (VmHWM).") var serverPid: Int32?
    @Flag(help: "Receive every event as a webhook (a receiver in this process, registered on the merchant) and report deliveries/s, the delay from each event's creation to its receipt, and how long the backlog takes to drain.")
    var webhook = false

    func run() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let payer = Payer(client: client, base: url, key: key)
            if webhook {
                let receiver = try await WebhookReceiver.start()
                let endpoint = try await payer.registerEndpoint(url: "http://127.0.0.1:\(receiver.port)/hook")
                do {
                    try await report(payer, receiver: receiver)
                } catch {
                    try? await payer.deleteEndpoint(endpoint)
                    throw error
                }
                try await payer.deleteEndpoint(endpoint)
                await receiver.stop()
            } else {
                try await report(payer, receiver: nil)
            }
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    func report(_ payer: Payer, receiver: WebhookReceiver?) async throws {
        let warm = try await measure(payer, seconds: warmup)
        _ = receiver?.takeDelays()
        let started = ContinuousClock.now
        let result = try await measure(payer, seconds: duration)
        let seconds = Load.seconds(ContinuousClock.now - started)
        let latencies = result.latencies.sorted()
        print(String(format: "concurrency %d%@: %d payments in %.1f s = %.0f payments/s; latency p50 %.1f ms, p95 %.1f ms, p99 %.1f ms; errors %d",
                     concurrency, receiver == nil ? "" : " with a webhook endpoint", latencies.count, seconds,
                     Double(latencies.count) / seconds, Load.percentile(latencies, 0.50) * 1000, Load.percentile(latencies, 0.95) * 1000,
                     Load.percentile(latencies, 0.99) * 1000, result.errors))
        if let receiver {
            let delays = receiver.takeDelays().sorted()
            // Two events per payment (created, succeeded), warm-up included.
            let expected = 2 * (warm.latencies.count + result.latencies.count)
            let stopped = ContinuousClock.now
            while receiver.received < expected, ContinuousClock.now - stopped < .seconds(60) {
                try await Task.sleep(nanoseconds: 10_000_000)
            }
            let drained = Load.seconds(ContinuousClock.now - stopped)
            let backlog = receiver.received >= expected
                ? String(format: "backlog empty %.2f s after the load stopped", drained)
                : "\(expected - receiver.received) deliveries still missing 60 s after the load stopped"
            print(String(format: "webhooks: %.0f deliveries/s during the run; delay from event to receipt p50 %.1f ms, p95 %.1f ms, p99 %.1f ms; %@; duplicates %d",
                         Double(delays.count) / seconds, Load.percentile(delays, 0.50) * 1000, Load.percentile(delays, 0.95) * 1000,
                         Load.percentile(delays, 0.99) * 1000, backlog, receiver.duplicates))
        }
        if let serverPid, let peak = Load.peakMemory(pid: serverPid) {
            print("server peak memory (VmHWM): \(peak / 1024) MB")
        }
    }

    func measure(_ payer: Payer, seconds: Double) async throws -> LoadResult {
        try await Load.run(concurrency: concurrency, seconds: seconds) { try await payer.pay() }
    }
}

/// One complete payment: create the intent, then pay it with the sandbox's `tok_visa`.
struct Payer: Sendable {
    let client: HTTPClient
    let base: String
    let key: String

    struct BenchError: Error, CustomStringConvertible {
        var description: String
    }

    /// The two fields of a payment intent the load generator checks.
    struct Intent: Decodable {
        var id: String
        var status: String
    }

    func pay() async throws {
        let decoder = JSONDecoder()
        let intent = try decoder.decode(
            Intent.self, from: Data(try await post("/v1/payment_intents", #"{"amount": 1999, "currency": "EUR"}"#, expect: 201)))
        let paid = try decoder.decode(Intent.self, from: Data(try await post(
            "/v1/payment_intents/\(intent.id)/payments", #"{"payment_method": {"type": "card", "token": "tok_visa"}}"#, expect: 201)))
        guard paid.status == "succeeded" else {
            throw BenchError(description: "payment \(paid.id) is \(paid.status), not succeeded")
        }
    }

    /// Registers a webhook endpoint for every event; returns its id.
    func registerEndpoint(url: String) async throws -> String {
        struct Endpoint: Decodable { var id: String }
        let body = #"{"url": "\#(url)", "enabled_events": ["*"], "description": "payhub-bench"}"#
        return try JSONDecoder().decode(Endpoint.self, from: Data(try await post("/v1/webhook_endpoints", body, expect: 201))).id
    }

    func deleteEndpoint(_ id: String) async throws {
        _ = try await post("/v1/webhook_endpoints/\(id)", nil, expect: 200, method: .DELETE)
    }

    func post(_ path: String, _ body: String?, expect status: UInt, method: HTTPMethod = .POST) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        guard response.status.code == status else {
            throw BenchError(description: "\(path): HTTP \(response.status.code)")
        }
        return Array(bytes.readableBytesView)
    }
}
