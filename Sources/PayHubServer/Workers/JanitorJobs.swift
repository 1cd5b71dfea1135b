import Fluent
import Foundation

extension JobKind {
    static let idempotencyPurge = JobKind("janitor.idempotency_keys")
    static let rateLimitJanitor = JobKind("janitor.rate_limit_buckets")
}

/// A housekeeping task that runs every `interval`, forever.
struct JanitorJob: JobHandler {
    let kind: JobKind
    let interval: TimeInterval
    let context: PayHubContext
    let task: @Sendable () async throws -> Void
    var lease: TimeInterval { 300 }
    var isRecurring: Bool { true }

    func run(_ job: ClaimedJob) async throws -> JobOutcome {
        try await task()
        return .reschedule(at: context.clock.now().addingTimeInterval(interval))
    }

    /// Deletes `Idempotency-Key` records past their 24 hours, hourly.
    static func idempotencyPurge(context: PayHubContext, db: any Database) -> JanitorJob {
        JanitorJob(kind: .idempotencyPurge, interval: 3600, context: context) {
            _ = try await IdempotencyService(context: context, db: db).purgeExpired()
        }
    }

    /// Forgets idle rate-limit buckets (PostgreSQL), every ten minutes.
    static func rateLimitJanitor(context: PayHubContext, db: any Database) -> JanitorJob {
        JanitorJob(kind: .rateLimitJanitor, interval: 600, context: context) {
            try await context.rateLimiter.forgetIdle(now: context.clock.now(), on: db)
        }
    }
}
