import Foundation
import SQLKit

/// The SQL of the `jobs` table: the one claim implementation every background job goes through. On PostgreSQL
/// claims skip rows another process has locked (`FOR UPDATE SKIP LOCKED`); on SQLite they run through the
/// writer queue. Every finish compares the claim's lease token, so a process that lost its lease changes nothing.
enum JobStore {
    enum IfExists: Sendable {
        /// Leave the live job with this unique key as it is.
        case keep
        /// Make it due again (`run_at`, attempts reset), unless a process is running it right now.
        case rearm
    }

    /// Adds a job under `id` (`NewJob.id`: made of its unique key when it has one, so the primary key keeps it unique),
    /// optionally already leased (claimed once) to `lease`. Returns whether a row was added or re-armed.
    @discardableResult
    static func enqueue(
        _ job: NewJob, id: String, now: Date, ifExists: IfExists, leasedTo lease: (token: String, until: Date)? = nil,
        on db: any SQLDatabase
    ) async throws -> Bool {
        let conflict: SQLQueryString
        switch (job.uniqueKey, ifExists) {
        case (nil, _): conflict = ""
        case (_, .keep): conflict = "ON CONFLICT (id) DO NOTHING"
        case (_, .rearm):
            conflict = """
                ON CONFLICT (id) DO UPDATE SET status = \(bind: JobStatus.pending.rawValue), run_at = \(bind: job.runAt), attempts = 0, \
                max_attempts = \(bind: job.maxAttempts), last_error = NULL, updated_at = \(bind: now) \
                WHERE jobs.lease_token IS NULL OR jobs.lease_expires_at < \(bind: now)
                """
        }
        return try await db.raw("""
            INSERT INTO jobs \
            (id, kind, payload, status, run_at, attempts, max_attempts, lease_token, lease_expires_at, created_at, updated_at) \
            VALUES (\(bind: id), \(bind: job.kind.rawValue), \(bind: job.payload), \(bind: JobStatus.pending.rawValue), \(bind: job.runAt), \
            \(bind: lease == nil ? 0 : 1), \(bind: job.maxAttempts), \(bind: lease?.token), \(bind: lease?.until), \
            \(bind: now), \(bind: now)) \(conflict) RETURNING id
            """).first() != nil
    }

    /// Leases up to `limit` due jobs of these kinds to `token`, oldest first.
    static func claim(
        kinds: [JobKind], limit: Int, now: Date, leaseUntil: Date, token: String, skipLocked: Bool, on db: any SQLDatabase
    ) async throws -> [ClaimedJob] {
        // A claim changes no key: it must not wait for (or skip) rows that writers only key-share lock.
        let lock: SQLQueryString = skipLocked ? "FOR NO KEY UPDATE SKIP LOCKED" : ""
        let kindList = SQLList(kinds.map { SQLBind($0.rawValue) })
        let rows = try await db.raw("""
            UPDATE jobs SET lease_token = \(bind: token), lease_expires_at = \(bind: leaseUntil), attempts = attempts + 1, \
            updated_at = \(bind: now)
            WHERE id IN (
                SELECT id FROM jobs
                WHERE status = \(bind: JobStatus.pending.rawValue) AND run_at <= \(bind: now) AND kind IN (\(kindList))
                  AND (lease_token IS NULL OR lease_expires_at < \(bind: now))
                ORDER BY run_at LIMIT \(bind: limit) \(lock)
            )
            RETURNING id, kind, payload, attempts, max_attempts
            """).all()
        return try rows.map { row in
            ClaimedJob(
                id: try row.decode(column: "id", as: String.self),
                kind: JobKind(try row.decode(column: "kind", as: String.self)),
                payload: try row.decode(column: "payload", as: String.self),
                attempts: try row.decode(column: "attempts", as: Int.self),
                maxAttempts: try row.decode(column: "max_attempts", as: Int.self),
                leaseToken: token)
        }
    }

    /// Where the job with this id stands; nil when there is none. `lockingKey` (PostgreSQL) holds a key-share lock on
    /// its row until the transaction ends: the row cannot be deleted meanwhile, though claims and renewals go on.
    static func state(of id: String, lockingKey: Bool, on db: any SQLDatabase) async throws -> JobStatus? {
        let lock: SQLQueryString = lockingKey ? "FOR KEY SHARE" : ""
        guard let row = try await db.raw("SELECT status FROM jobs WHERE id = \(bind: id) \(lock)").first() else { return nil }
        let status = try row.decode(column: "status", as: String.self)
        return try StoredValueInvalid.parse(status, as: JobStatus.self, table: "jobs", column: "status", id: id)
    }

    /// Extends a running job's lease; false when it was lost.
    static func renew(_ job: ClaimedJob, until: Date, now: Date, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("""
            UPDATE jobs SET lease_expires_at = \(bind: until), updated_at = \(bind: now) \
            WHERE id = \(bind: job.id) AND lease_token = \(bind: job.leaseToken) RETURNING id
            """).first() != nil
    }

    /// Records how a run ended; false when the lease was lost (nothing was written).
    static func finish(_ job: ClaimedJob, _ next: JobOutcome.Next, now: Date, on db: any SQLDatabase) async throws -> Bool {
        let statement: SQLQueryString
        switch next {
        case .done:
            statement = "DELETE FROM jobs WHERE id = \(bind: job.id) AND lease_token = \(bind: job.leaseToken) RETURNING id"
        case .retry(let at, let reason):
            statement = """
                UPDATE jobs SET run_at = \(bind: at), lease_token = NULL, lease_expires_at = NULL, \
                last_error = \(bind: String(reason.prefix(500))), updated_at = \(bind: now) \
                WHERE id = \(bind: job.id) AND lease_token = \(bind: job.leaseToken) RETURNING id
                """
        case .reschedule(let at):
            statement = """
                UPDATE jobs SET run_at = \(bind: at), attempts = 0, lease_token = NULL, lease_expires_at = NULL, \
                last_error = NULL, updated_at = \(bind: now) \
                WHERE id = \(bind: job.id) AND lease_token = \(bind: job.leaseToken) RETURNING id
                """
        case .giveUp(let reason):
            statement = """
                UPDATE jobs SET status = \(bind: JobStatus.failed.rawValue), lease_token = NULL, lease_expires_at = NULL, \
                last_error = \(bind: String(reason.prefix(500))), updated_at = \(bind: now) \
                WHERE id = \(bind: job.id) AND lease_token = \(bind: job.leaseToken) RETURNING id
                """
        }
        return try await db.raw(statement).first() != nil
    }

    /// Jobs in these statuses (`pending`, `failed`), most urgent first.
    static func list(statuses: [JobStatus], limit: Int, now: Date, on db: any SQLDatabase) async throws -> [JobSummary] {
        let statusList = SQLList(statuses.map { SQLBind($0.rawValue) })
        return try await db.raw("""
            SELECT id, kind, status, run_at, attempts, max_attempts, lease_token, lease_expires_at, last_error FROM jobs \
            WHERE status IN (\(statusList)) ORDER BY status, run_at LIMIT \(bind: limit)
            """).all().map { row in
                let leaseExpires: Date? = try row.optional("lease_expires_at")
                let token: String? = try row.optional("lease_token")
                return JobSummary(
                    id: try row.decode(column: "id", as: String.self), kind: try row.decode(column: "kind", as: String.self),
                    status: try StoredValueInvalid.parse(
                        row.decode(column: "status", as: String.self), as: JobStatus.self, table: "jobs", column: "status", id: nil),
                    runAt: try row.decode(column: "run_at", as: Date.self),
                    attempts: try row.decode(column: "attempts", as: Int.self),
                    maxAttempts: try row.decode(column: "max_attempts", as: Int.self),
                    leased: token != nil && (leaseExpires ?? .distantPast) > now, lastError: try row.optional("last_error"))
            }
    }

    /// Makes a failed job due again with fresh attempts; false when there is no failed job with this id.
    static func retryFailed(id: String, now: Date, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("""
            UPDATE jobs SET status = \(bind: JobStatus.pending.rawValue), attempts = 0, run_at = \(bind: now), last_error = NULL, \
            updated_at = \(bind: now) WHERE id = \(bind: id) AND status = \(bind: JobStatus.failed.rawValue) RETURNING id
            """).first() != nil
    }

    /// How many jobs of each kind wait (for `/metrics`).
    static func pendingCounts(on db: any SQLDatabase) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try await db.raw("SELECT kind, COUNT(*) AS n FROM jobs WHERE status = \(bind: JobStatus.pending.rawValue) GROUP BY kind").all() {
            counts[try row.decode(column: "kind", as: String.self)] = try row.decode(column: "n", as: Int.self)
        }
        return counts
    }
}
