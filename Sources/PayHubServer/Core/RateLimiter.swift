import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit

/// Token buckets by key (an API key, a payment intent).
protocol RateLimiter: Sendable {
    /// Takes one token from `key`'s bucket. Returns nil when allowed, or the seconds to wait.
    func take(_ key: String, perSecond rate: Double, burst: Double, now: Date, on db: any Database) async throws -> Int?

    /// Forgets buckets idle long enough to be full again (which is what a missing bucket means).
    func forgetIdle(now: Date, on db: any Database) async throws
}

extension RateLimiter {
    static func wait(tokens: Double, rate: Double) -> Int {
        max(1, Int(((1 - tokens) / rate).rounded(.up)))
    }

    /// A bucket idle this long has refilled at any rate PayHub allows.
    static var idleLifetime: TimeInterval { 3600 }
}

/// Buckets in this process's memory: exact for the embedded database, where one process serves everything.
final class InMemoryRateLimiter: RateLimiter {
    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    private let buckets = NIOLockedValueBox<[String: Bucket]>([:])

    func take(_ key: String, perSecond rate: Double, burst: Double, now: Date, on db: any Database) -> Int? {
        buckets.withLockedValue { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
            let elapsed = max(0, now.timeIntervalSince(bucket.updated))
            bucket.tokens = min(burst, bucket.tokens + elapsed * rate)
            bucket.updated = now
            defer { buckets[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return Self.wait(tokens: bucket.tokens, rate: rate)
        }
    }

    func forgetIdle(now: Date, on db: any Database) {
        buckets.withLockedValue { buckets in
            buckets = buckets.filter { now.timeIntervalSince($0.value.updated) < Self.idleLifetime }
        }
    }
}

/// Buckets in PostgreSQL, shared by every PayHub process: N processes allow what one would, not N times as much.
/// One statement takes the token atomically, whichever process asks.
struct SharedRateLimiter: RateLimiter {
    func take(_ key: String, perSecond rate: Double, burst: Double, now: Date, on db: any Database) async throws -> Int? {
        let refill: SQLQueryString = """
            LEAST(\(bind: burst), rate_limit_buckets.tokens + \
            GREATEST(0, EXTRACT(EPOCH FROM (\(bind: now) - rate_limit_buckets.updated_at)))::float8 * \(bind: rate))
            """
        guard let row = try await db.sql.raw("""
            INSERT INTO rate_limit_buckets (bucket, tokens, allowed, updated_at) VALUES \
            (\(bind: key), \(bind: burst - 1), TRUE, \(bind: now)) \
            ON CONFLICT (bucket) DO UPDATE SET \
            tokens = CASE WHEN \(refill) >= 1 THEN \(refill) - 1 ELSE \(refill) END, \
            allowed = \(refill) >= 1, \
            updated_at = GREATEST(\(bind: now), rate_limit_buckets.updated_at) \
            RETURNING tokens, allowed
            """).first()
        else { return nil }
        guard try !row.decode(column: "allowed", as: Bool.self) else { return nil }
        return Self.wait(tokens: try row.decode(column: "tokens", as: Double.self), rate: rate)
    }

    func forgetIdle(now: Date, on db: any Database) async throws {
        try await db.sql.raw("""
            DELETE FROM rate_limit_buckets WHERE updated_at < \(bind: now.addingTimeInterval(-Self.idleLifetime))
            """).run()
    }
}
