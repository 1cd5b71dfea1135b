import Foundation
import NIOConcurrencyHelpers

/// Token buckets by key (an API key, a payment intent), in this process's memory.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    private let buckets = NIOLockedValueBox<[String: Bucket]>([:])

    /// Takes one token from `key`'s bucket. Returns nil when allowed, or the seconds to wait.
    func take(_ key: String, perSecond rate: Double, burst: Double, now: Date) -> Int? {
        buckets.withLockedValue { buckets in
            if buckets.count > 100_000 { buckets.removeAll(keepingCapacity: true) }
            var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
            let elapsed = max(0, now.timeIntervalSince(bucket.updated))
            bucket.tokens = min(burst, bucket.tokens + elapsed * rate)
            bucket.updated = now
            defer { buckets[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
        }
    }
}
