import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Drives complete payments (create an intent, attempt it with `tok_visa`) against a running PayHub at a chosen
/// concurrency, then prints throughput and latency percentiles. A load generator, not a test.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payhub-bench", abstract: "Measure complete payments per second against a running PayHub.")

    @Option(help: "PayHub's base URL.") var url = "http://127.0.0.1:8080"
    @Option(help: "A test-mode secret key (sk_test_...).") var key: String
    @Option(help: "Concurrent clients.") var concurrency = 32
    @Option(help: "Seconds to measure, after a warm-up.") var duration = 20.0
    @Option(help: "Seconds of warm-up, not measured.") var warmup = 3.0
    @Option(help: "PID of the server, to report its peak memory (VmHWM).") var serverPid: Int32?

    func run() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            try await report(Payer(client: client, base: url, key: key))
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    func report(_ payer: Payer) async throws {
        _ = try await measure(payer, seconds: warmup)
        let started = ContinuousClock.now
        let result = try await measure(payer, seconds: duration)
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let latencies = result.latencies.sorted()
        func percentile(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return 0 }
            return latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] * 1000
        }
        print(String(format: "concurrency %d: %d payments in %.1f s = %.0f payments/s; latency p50 %.1f ms, p95 %.1f ms, p99 %.1f ms; errors %d",
                     concurrency, latencies.count, seconds, Double(latencies.count) / seconds,
                     percentile(0.50), percentile(0.95), percentile(0.99), result.errors))
        if let serverPid, let peak = Self.peakMemory(pid: serverPid) {
            print("server peak memory (VmHWM): \(peak / 1024) MB")
        }
    }

    struct Result {
        var latencies: [Double] = []
        var errors = 0
    }

    func measure(_ payer: Payer, seconds: Double) async throws -> Result {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        return try await withThrowingTaskGroup(of: Result.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var result = Result()
                    while ContinuousClock.now < deadline {
                        let start = ContinuousClock.now
                        do {
                            try await payer.pay()
                            let elapsed = ContinuousClock.now - start
                            result.latencies.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                        } catch {
                            result.errors += 1
                        }
                    }
                    return result
                }
            }
            var total = Result()
            for try await partial in group {
                total.latencies += partial.latencies
                total.errors += partial.errors
            }
            return total
        }
    }

    static func peakMemory(pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "")
        }
        return nil
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

    private func post(_ path: String, _ body: String, expect status: UInt) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        guard response.status.code == status else {
            throw BenchError(description: "\(path): HTTP \(response.status.code)")
        }
        return Array(bytes.readableBytesView)
    }
}
