import Foundation

/// What a load loop measured: each successful operation's latency in seconds, and the failures.
struct LoadResult {
    var latencies: [Double] = []
    var errors = 0
}

/// The load loops the benchmarks share: `concurrency` clients repeating one operation until a deadline.
enum Load {
    static func run(concurrency: Int, seconds: Double, _ operation: @escaping @Sendable () async throws -> Void) async throws -> LoadResult {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        return try await withThrowingTaskGroup(of: LoadResult.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var result = LoadResult()
                    while ContinuousClock.now < deadline {
                        let start = ContinuousClock.now
                        do {
                            try await operation()
                            result.latencies.append(Load.seconds(ContinuousClock.now - start))
                        } catch {
                            result.errors += 1
                        }
                    }
                    return result
                }
            }
            var total = LoadResult()
            for try await partial in group {
                total.latencies += partial.latencies
                total.errors += partial.errors
            }
            return total
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }

    /// The server's peak resident memory in KiB (VmHWM), when it runs on this machine.
    static func peakMemory(pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "")
        }
        return nil
    }
}
