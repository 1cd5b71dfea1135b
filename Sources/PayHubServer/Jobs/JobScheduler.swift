import Fluent
import Foundation
import Logging
import NIOConcurrencyHelpers
import SQLKit

/// The one durable job scheduler. Jobs live in the database, so they survive restarts; claims carry a lease
/// token, so two processes never run one job at once and a crashed process's jobs run again once its lease
/// expires. Jobs run in lanes, each with its own concurrency, so slow webhook receivers never hold up status
/// checks or janitors.
final class JobScheduler: Sendable {
    static let defaultMaxAttempts = 10

    struct Lane: Sendable {
        var name: String
        var kinds: [JobKind]
        var concurrency: Int
    }

    let context: PayHubContext
    let db: any Database
    let logger: Logger
    private let handlers: [JobKind: any JobHandler]
    let lanes: [Lane]
    private let inFlight = NIOLockedValueBox<[String: Task<Void, Never>]>([:])

    init(context: PayHubContext, db: any Database, logger: Logger, handlers: [any JobHandler], lanes: [Lane]) {
        self.context = context
        self.db = db
        self.logger = logger
        self.handlers = Dictionary(handlers.map { ($0.kind, $0) }, uniquingKeysWith: { first, _ in first })
        self.lanes = lanes
    }

    // MARK: - Enqueuing

    /// Adds a job inside the caller's transaction: it exists only if that transaction commits. The lane that
    /// runs it is woken once it has.
    /// A job due at once, of a kind whose lane runs in this process, is added leased to that lane and handed to it
    /// when the transaction commits (`JobHandoff`).
    static func enqueue(_ job: NewJob, ifExists: JobStore.IfExists = .keep, context: PayHubContext, on tx: any SQLDatabase) async throws {
        let now = context.clock.now()
        let id = job.id(random: { context.ids.randomToken(length: 24) })
        let kind = job.kind
        guard job.runAt <= now else {
            try await JobStore.enqueue(job, id: id, now: now, ifExists: ifExists, on: tx)
            return
        }
        if ifExists == .keep, let lease = context.jobHandoff.lease(for: kind) {
            let token = context.ids.randomToken(length: 24)
            guard try await JobStore.enqueue(
                job, id: id, now: now, ifExists: .keep, leasedTo: (token, now.addingTimeInterval(lease)), on: tx)
            else { return }
            let claimed = ClaimedJob(
                id: id, kind: kind, payload: job.payload, attempts: 1, maxAttempts: job.maxAttempts, leaseToken: token)
            AfterCommit.run { [context] in
                context.jobHandoff.hand(claimed, at: context.clock.now())
                context.wakeUp(for: kind).signal()
            }
            return
        }
        try await JobStore.enqueue(job, id: id, now: now, ifExists: ifExists, on: tx)
        AfterCommit.run { [context] in
            context.jobHandoff.noteTableWork(kind)
            context.wakeUp(for: kind).signal()
        }
    }

    /// Adds a job in a transaction of its own.
    func enqueue(_ job: NewJob, ifExists: JobStore.IfExists = .keep) async throws {
        let context = self.context
        try await context.transactor.writeSQL(on: db) { tx in
            try await Self.enqueue(job, ifExists: ifExists, context: context, on: tx)
        }
    }

    // MARK: - Running

    /// Runs every lane until the task is cancelled, then waits for the jobs in flight.
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            for lane in lanes { group.addTask { await self.run(lane) } }
        }
        for task in inFlight.withLockedValue({ Array($0.values) }) { await task.value }
    }

    /// A lane runs the jobs handed to it in memory first, and claims from the table when another process or a
    /// delayed job may have put work there: when told so, after a full claim, and every `workerInterval`.
    private func run(_ lane: Lane) async {
        let wakeUp = context.wakeUp(for: lane.kinds.first ?? JobKind(""))
        let handoff = context.jobHandoff
        handoff.open(Dictionary(uniqueKeysWithValues: lane.kinds.compactMap { kind in handlers[kind].map { (kind, $0.lease) } }))
        defer { Task { [self] in await self.release(handoff.close(lane.kinds)) } }
        let running = NIOLockedValueBox(0)
        var nextTableClaim = ContinuousClock.now
        var tableMayHaveMore = true
        while !Task.isCancelled {
            let free = lane.concurrency - running.withLockedValue { $0 }
            var claimed = handoff.take(lane.kinds, limit: free, now: context.clock.now())
            let fromTable = free - claimed.count
            if fromTable > 0, handoff.takeTableWork(lane.kinds) || tableMayHaveMore || ContinuousClock.now >= nextTableClaim {
                nextTableClaim = ContinuousClock.now + .seconds(context.config.workerInterval)
                do {
                    let found = try await claim(lane.kinds, limit: fromTable)
                    tableMayHaveMore = found.count == fromTable
                    claimed += found
                } catch {
                    if !Task.isCancelled { logger.error("claiming jobs failed", metadata: ["lane": "\(lane.name)", "error": "\(error)"]) }
                }
            }
            for job in claimed {
                running.withLockedValue { $0 += 1 }
                let task = Task {
                    let outcome = await self.perform(job)
                    // The slot is free once the work is done: recording it waits for its commit, not for a slot.
                    running.withLockedValue { $0 -= 1 }
                    wakeUp.signal()
                    await self.record(job, outcome)
                    _ = self.inFlight.withLockedValue { $0.removeValue(forKey: job.id + job.leaseToken) }
                }
                inFlight.withLockedValue { $0[job.id + job.leaseToken] = task }
            }
            if claimed.isEmpty || claimed.count == free {
                await wakeUp.wait(seconds: context.config.workerInterval)
            }
        }
        await release(handoff.close(lane.kinds))
    }

    /// Runs every job of these kinds that is due now, and those they make due, until none is left: what tests,
    /// commands and test clocks use. Returns how many runs there were.
    @discardableResult
    func runDue(_ kinds: [JobKind]? = nil, limit: Int = 100) async throws -> Int {
        let kinds = kinds ?? Array(handlers.keys)
        var total = 0
        while true {
            let claimed = try await claim(kinds, limit: limit)
            if claimed.isEmpty { return total }
            total += claimed.count
            await withTaskGroup(of: Void.self) { group in
                for job in claimed { group.addTask { await self.execute(job) } }
            }
        }
    }

    /// Registers the recurring jobs (one row each, whichever process starts first).
    func scheduleRecurring(_ kinds: [JobKind]) async throws {
        let now = context.clock.now()
        for kind in kinds {
            try await enqueue(NewJob(kind: kind, payload: "{}", runAt: now, uniqueKey: "recurring:\(kind.rawValue)"))
        }
    }

    private func claim(_ kinds: [JobKind], limit: Int) async throws -> [ClaimedJob] {
        let now = context.clock.now()
        let lease = kinds.compactMap { handlers[$0]?.lease }.max() ?? 60
        let token = context.ids.randomToken(length: 24)
        let skipLocked = context.transactor.isPostgres
        return try await context.transactor.writeSQL(on: db) { tx in
            try await JobStore.claim(
                kinds: kinds, limit: limit, now: now, leaseUntil: now.addingTimeInterval(lease), token: token,
                skipLocked: skipLocked, on: tx)
        }
    }

    /// Gives back the leases of jobs handed off but not run (the lane stopped), so any process may run them now.
    private func release(_ jobs: [ClaimedJob]) async {
        guard !jobs.isEmpty else { return }
        let now = context.clock.now()
        for job in jobs {
            try? await finish(job, JobOutcome(next: .retry(at: now, reason: "released when its lane stopped")))
        }
    }

    /// Runs one claimed job and records its outcome.
    private func execute(_ job: ClaimedJob) async {
        await record(job, await perform(job))
    }

    /// Runs one claimed job; a handler's error is retried with backoff until the job's attempts are spent.
    private func perform(_ job: ClaimedJob) async -> JobOutcome {
        guard let handler = handlers[job.kind] else {
            return JobOutcome(next: .giveUp(reason: "no handler for kind \(job.kind)"))
        }
        guard job.attempts <= job.maxAttempts || handler.isRecurring else {
            // Claimed more often than allowed without a recorded outcome: its runs keep dying with their process.
            return JobOutcome(next: .giveUp(reason: "gave up after \(job.maxAttempts) attempts"))
        }
        do {
            return try await handler.run(job)
        } catch {
            let reason = String(describing: error)
            logger.warning("job failed", metadata: ["job": "\(job.id)", "kind": "\(job.kind)", "error": "\(reason)"])
            if handler.isRecurring {
                return .reschedule(at: context.clock.now().addingTimeInterval(Self.backoff(afterAttempt: job.attempts)))
            }
            return job.attempts >= job.maxAttempts
                ? JobOutcome(next: .giveUp(reason: reason))
                : .retry(at: context.clock.now().addingTimeInterval(Self.backoff(afterAttempt: job.attempts)), reason: reason)
        }
    }

    /// Records how a run ended, in one transaction with the run's own writes, if the lease is still held.
    private func record(_ job: ClaimedJob, _ outcome: JobOutcome) async {
        if case .giveUp(let reason) = outcome.next {
            logger.error("job gave up", metadata: ["job": "\(job.id)", "kind": "\(job.kind)", "reason": "\(reason)"])
        }
        do {
            try await finish(job, outcome)
        } catch let error as JobLeaseLost {
            logger.warning("job result discarded", metadata: ["job": "\(job.id)", "why": "\(error)"])
        } catch {
            logger.error("recording a job's outcome failed", metadata: ["job": "\(job.id)", "error": "\(error)"])
        }
        context.metrics.job(kind: job.kind.rawValue, outcome: outcome.next.metricName)
    }

    private func finish(_ job: ClaimedJob, _ outcome: JobOutcome) async throws {
        let now = context.clock.now()
        try await context.transactor.writeSQL(on: db) { tx in
            guard try await JobStore.finish(job, outcome.next, now: now, on: tx) else { throw JobLeaseLost(id: job.id) }
            try await outcome.writes?(tx)
        }
    }

    /// Seconds before retrying a job whose handler failed: 5 s doubling, at most an hour.
    static func backoff(afterAttempt attempt: Int) -> TimeInterval {
        min(5 * pow(2, Double(max(0, attempt - 1))), 3600)
    }

    func list(statuses: [JobStatus] = [.pending, .failed], limit: Int = 100) async throws -> [JobSummary] {
        try await JobStore.list(statuses: statuses, limit: limit, now: context.clock.now(), on: context.transactor.reader(db))
    }
}

extension JobOutcome.Next {
    var metricName: String {
        switch self {
        case .done: "done"
        case .retry: "retry"
        case .reschedule: "rescheduled"
        case .giveUp: "gave_up"
        }
    }
}
