import Fluent
import Foundation

extension JobKind {
    static let idempotencyPurge = JobKind("janitor.idempotency_keys")
    static let rateLimitJanitor = JobKind("janitor.rate_limit_buckets")
}

/// Deletes `Idempotency-Key` records past their 24 hours, hourly.
struct IdempotencyPurgeJob: JobHandler {
    let context: PayHubContext
    let db: any Database
    var kind: JobKind { .idempotencyPurge }
    var lease: TimeInterval { 300 }
    var isRecurring: Bool { true }

    func run(_ job: ClaimedJob) async throws -> JobOutcome {
        _ = try await IdempotencyService(context: context, db: db).purgeExpired()
        return .reschedule(at: context.clock.now().addingTimeInterval(3600))
    }
}

/// Forgets idle rate-limit buckets (PostgreSQL), every ten minutes.
struct RateLimitJanitorJob: JobHandler {
    let context: PayHubContext
    let db: any Database
    var kind: JobKind { .rateLimitJanitor }
    var lease: TimeInterval { 300 }
    var isRecurring: Bool { true }

    func run(_ job: ClaimedJob) async throws -> JobOutcome {
        try await context.rateLimiter.forgetIdle(now: context.clock.now(), on: db)
        return .reschedule(at: context.clock.now().addingTimeInterval(600))
    }
}
