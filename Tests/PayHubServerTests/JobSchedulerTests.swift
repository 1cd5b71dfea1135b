import Fluent
import Foundation
import NIOConcurrencyHelpers
@testable import PayHubServer
import SQLKit
import XCTVapor

/// The durable job scheduler: lease tokens, one run per job across processes, limits, restarts (issue 6, 1.5 and 3).
final class JobSchedulerTests: XCTestCase {
    static let counted = JobKind("test.counted")

    /// Counts its runs per job; fails while `failing` is set.
    struct CountingJob: JobHandler {
        let runs: NIOLockedValueBox<[String: Int]>
        var failing = false
        var pause: UInt64 = 0
        var kind: JobKind { JobSchedulerTests.counted }
        var lease: TimeInterval { 30 }

        func run(_ job: ClaimedJob) async throws -> JobOutcome {
            runs.withLockedValue { $0[job.id, default: 0] += 1 }
            if pause > 0 { try await Task.sleep(nanoseconds: pause) }
            if failing { throw URLError(.cannotConnectToHost) }
            return .done
        }
    }

    /// A recurring job whose every run fails.
    struct FailingRecurringJob: JobHandler {
        let runs: NIOLockedValueBox<Int>
        var kind: JobKind { JobSchedulerTests.counted }
        var lease: TimeInterval { 30 }
        var isRecurring: Bool { true }
        func run(_ job: ClaimedJob) async throws -> JobOutcome {
            runs.withLockedValue { $0 += 1 }
            throw URLError(.cannotConnectToHost)
        }
    }

    func testARecurringJobThatKeepsFailingIsNeverGivenUp() async throws {
        try await withEachDatabase { hub in
            let runs = NIOLockedValueBox(0)
            let scheduler = JobScheduler(
                context: hub.context, db: hub.app.db, logger: hub.app.logger, handlers: [FailingRecurringJob(runs: runs)],
                lanes: [.init(name: "test", kinds: [Self.counted], concurrency: 1)])
            try await scheduler.enqueue(NewJob(kind: Self.counted, payload: "{}", runAt: hub.clock.now(), uniqueKey: "recurring:test", maxAttempts: 2))
            for _ in 1...5 {
                try await scheduler.runDue()
                hub.clock.advance(3601)
            }
            XCTAssertEqual(runs.withLockedValue { $0 }, 5, "run again after every failure, past its attempts")
            let listed = try await scheduler.list()
            XCTAssertEqual(listed.map(\.status), [.pending])
        }
    }

    func scheduler(_ hub: TestHub, _ handler: CountingJob) -> JobScheduler {
        JobScheduler(
            context: hub.context, db: hub.app.db, logger: hub.app.logger, handlers: [handler],
            lanes: [.init(name: "test", kinds: [Self.counted], concurrency: 4)])
    }

    func enqueue(_ count: Int, on scheduler: JobScheduler, maxAttempts: Int = 10) async throws {
        let now = scheduler.context.clock.now()
        for index in 0..<count {
            try await scheduler.enqueue(NewJob(kind: Self.counted, payload: #"{"n": \#(index)}"#, runAt: now, maxAttempts: maxAttempts))
        }
    }

    func testALeaseTokenPerClaim_aRunWhoseLeaseWasTakenOverRecordsNothing() async throws {
        try await withEachDatabase { hub in
            let runs = NIOLockedValueBox<[String: Int]>([:])
            let scheduler = self.scheduler(hub, CountingJob(runs: runs))
            try await enqueue(1, on: scheduler)
            let db = hub.context.transactor
            let now = hub.clock.now()
            let first = try await db.writeSQL(on: hub.app.db) { tx in
                try await JobStore.claim(kinds: [Self.counted], limit: 10, now: now, leaseUntil: now.addingTimeInterval(10), token: "token_a", skipLocked: hub.context.transactor.isPostgres, on: tx)
            }
            XCTAssertEqual(first.count, 1)
            let notYet = try await db.writeSQL(on: hub.app.db) { tx in
                try await JobStore.claim(kinds: [Self.counted], limit: 10, now: now.addingTimeInterval(5), leaseUntil: now.addingTimeInterval(15), token: "token_b", skipLocked: hub.context.transactor.isPostgres, on: tx)
            }
            XCTAssertTrue(notYet.isEmpty, "a leased job is not claimed again")
            let later = now.addingTimeInterval(11)
            let second = try await db.writeSQL(on: hub.app.db) { tx in
                try await JobStore.claim(kinds: [Self.counted], limit: 10, now: later, leaseUntil: later.addingTimeInterval(10), token: "token_b", skipLocked: hub.context.transactor.isPostgres, on: tx)
            }
            XCTAssertEqual(second.map(\.id), first.map(\.id), "an expired lease is taken over")
            let stale = try await db.writeSQL(on: hub.app.db) { tx in try await JobStore.finish(first[0], .done, now: later, on: tx) }
            XCTAssertFalse(stale, "the first claim lost its lease: finishing it changes nothing")
            let stillThere = try await scheduler.list()
            XCTAssertEqual(stillThere.count, 1)
            let current = try await db.writeSQL(on: hub.app.db) { tx in try await JobStore.finish(second[0], .done, now: later, on: tx) }
            XCTAssertTrue(current)
            let gone = try await scheduler.list()
            XCTAssertTrue(gone.isEmpty)
        }
    }

    func testEveryJobRunsOnceWhenSeveralRunnersClaimAtOnce() async throws {
        try await withEachDatabase { hub in
            let runs = NIOLockedValueBox<[String: Int]>([:])
            let scheduler = self.scheduler(hub, CountingJob(runs: runs, pause: 1_000_000))
            try await enqueue(120, on: scheduler)
            async let a = scheduler.runDue(limit: 7)
            async let b = scheduler.runDue(limit: 11)
            async let c = scheduler.runDue(limit: 5)
            let total = try await [a, b, c].reduce(0, +)
            XCTAssertEqual(total, 120)
            XCTAssertEqual(runs.withLockedValue { $0.count }, 120)
            XCTAssertEqual(runs.withLockedValue { Set($0.values) }, [1], "no job ran twice")
        }
    }

    func testTwoProcessesOnOnePostgreSQLNeverRunAJobTwiceAndJobsSurviveARestart() async throws {
        guard case .some(.postgres(let adminURL)) = TestDatabase.all.last, TestDatabase.all.count == 2 else {
            throw XCTSkip("PAYHUB_TEST_POSTGRES_URL not set: the two-process scheduler test is skipped")
        }
        let first = try await TestHub.start(.postgres(adminURL: adminURL))
        let databaseName = String(URLComponents(string: first.context.config.databaseURL ?? "")?.path.dropFirst() ?? "")
        let runs = NIOLockedValueBox<[String: Int]>([:])
        do {
            // Enqueued by a process that then stops: the jobs are in the database, not in its memory.
            let earlier = try await TestHub.start(.postgres(adminURL: adminURL), databaseName: databaseName, migrate: false)
            try await enqueue(150, on: scheduler(earlier, CountingJob(runs: runs)))
            try await earlier.app.asyncShutdown()

            let second = try await TestHub.start(.postgres(adminURL: adminURL), databaseName: databaseName, migrate: false)
            let one = scheduler(first, CountingJob(runs: runs, pause: 2_000_000))
            let two = scheduler(second, CountingJob(runs: runs, pause: 2_000_000))
            async let a = one.runDue(limit: 10)
            async let b = two.runDue(limit: 10)
            async let c = one.runDue(limit: 10)
            async let d = two.runDue(limit: 10)
            let byProcess = try await [a + c, b + d]
            XCTAssertEqual(byProcess.reduce(0, +), 150)
            XCTAssertTrue(byProcess.allSatisfy { $0 > 0 }, "both processes ran jobs: \(byProcess)")
            XCTAssertEqual(runs.withLockedValue { $0.count }, 150)
            XCTAssertEqual(runs.withLockedValue { Set($0.values) }, [1], "no job ran twice")
            try await second.app.asyncShutdown()
        } catch {
            XCTFail("\(error)")
        }
        try await first.stop()
    }

    func testAJobThatKeepsFailingStopsAfterItsLimitAndStaysVisible() async throws {
        try await withEachDatabase { hub in
            let runs = NIOLockedValueBox<[String: Int]>([:])
            let scheduler = self.scheduler(hub, CountingJob(runs: runs, failing: true))
            try await enqueue(1, on: scheduler, maxAttempts: 3)
            for attempt in 1...5 {
                try await scheduler.runDue()
                hub.clock.advance(JobScheduler.backoff(afterAttempt: attempt) + 1)
            }
            XCTAssertEqual(runs.withLockedValue { Array($0.values) }, [3], "three tries, then it stops")
            let listed = try await scheduler.list()
            XCTAssertEqual(listed.count, 1)
            XCTAssertEqual(listed.first?.status, .failed)
            XCTAssertEqual(listed.first?.attempts, 3)
            XCTAssertNotNil(listed.first?.lastError)
        }
    }

    func testARetriedJobBacksOff() async throws {
        try await withEachDatabase { hub in
            let runs = NIOLockedValueBox<[String: Int]>([:])
            let scheduler = self.scheduler(hub, CountingJob(runs: runs, failing: true))
            try await enqueue(1, on: scheduler)
            try await scheduler.runDue()
            try await scheduler.runDue()
            XCTAssertEqual(runs.withLockedValue { Array($0.values) }, [1], "not again before its backoff")
            hub.clock.advance(JobScheduler.backoff(afterAttempt: 1) + 0.5)
            try await scheduler.runDue()
            XCTAssertEqual(runs.withLockedValue { Array($0.values) }, [2])
        }
    }

    // MARK: 1.5 Manual redelivery can send one webhook twice at once

    func testManualRedeliveryDuringAnInFlightAttemptSendsOnce() async throws {
        try await withEachDatabase { hub in
            let endpoint = try await hub.request(.POST, "/v1/webhook_endpoints", json: ["url": "http://127.0.0.1:9/hook", "enabled_events": ["payment_intent.created"]])
            XCTAssertEqual(endpoint.status, .created)
            hub.transport.delay { _ in 0.5 }
            let intent = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 100, "currency": "EUR"])
            let worker = hub.deliveryWorker
            let inFlight = Task { try await worker.runOnce() }
            let deadline = Date().addingTimeInterval(5)
            while hub.transport.started == 0 && Date() < deadline { try await Task.sleep(nanoseconds: 5_000_000) }
            XCTAssertEqual(hub.transport.started, 1)
            let events = try await hub.request(.GET, "/v1/events?object_id=\(intent.id)")
            let eventID = try XCTUnwrap(((events["data"] as? [[String: Any]])?.first)?["id"] as? String)
            let redelivered = try await hub.request(.POST, "/v1/events/\(eventID)/redeliver")
            XCTAssertEqual(redelivered.status, .ok, redelivered.text)
            // Another worker looks while the first try is still in flight.
            let concurrent = try await hub.deliveryWorker.runOnce()
            XCTAssertEqual(concurrent, 0, "the in-flight try is not taken from its worker")
            _ = try await inFlight.value
            try await hub.deliveryWorker.runOnce()
            XCTAssertEqual(hub.transport.started, 1, "the webhook was sent once")
            // Redelivered once it is no longer in flight, it is sent again.
            _ = try await hub.request(.POST, "/v1/events/\(eventID)/redeliver")
            hub.transport.delay { _ in 0 }
            try await hub.deliveryWorker.runOnce()
            XCTAssertEqual(hub.transport.started, 2)
        }
    }

    // MARK: - Hand-off to the lane of this process

    /// Waits (on real time, only so a broken test ends) until `condition` holds.
    private func eventually(_ condition: () -> Bool) async throws {
        let deadline = Date().addingTimeInterval(20)
        while !condition() && Date() < deadline { try await Task.sleep(nanoseconds: 5_000_000) }
    }

    func testJobsEnqueuedWhileTheirLaneRunsHereAreHandedToItAndStayLeasedInTheTable() async throws {
        try await withEachDatabase { hub in
            let runs = NIOLockedValueBox<[String: Int]>([:])
            let running = self.scheduler(hub, CountingJob(runs: runs, pause: 300_000_000))
            let lane = Task { await running.run() }
            try await eventually { hub.context.jobHandoff.lease(for: Self.counted) != nil }
            try await enqueue(4, on: running)
            try await eventually { runs.withLockedValue { $0.count } == 4 }
            // While they run, the table holds their leases: another process claims none of them.
            let elsewhere = self.scheduler(hub, CountingJob(runs: runs))
            let claimedElsewhere = try await elsewhere.runDue()
            XCTAssertEqual(claimedElsewhere, 0, "a handed-off job is leased in the table")
            lane.cancel()
            await lane.value
            XCTAssertEqual(runs.withLockedValue { $0.count }, 4)
            XCTAssertEqual(runs.withLockedValue { Set($0.values) }, [1], "each ran once")
            let left = try await running.list()
            XCTAssertTrue(left.isEmpty, "handed-off jobs are finished like claimed ones: \(left)")
        }
    }

    func testALaneThatStopsGivesBackTheHandedOffJobsItHadNotStarted() async throws {
        try await withEachDatabase { hub in
            let runs = NIOLockedValueBox<[String: Int]>([:])
            let running = JobScheduler(
                context: hub.context, db: hub.app.db, logger: hub.app.logger,
                handlers: [CountingJob(runs: runs, pause: 300_000_000)],
                lanes: [.init(name: "test", kinds: [Self.counted], concurrency: 1)])
            let lane = Task { await running.run() }
            try await eventually { hub.context.jobHandoff.lease(for: Self.counted) != nil }
            try await enqueue(3, on: running)
            try await eventually { runs.withLockedValue { $0.count } == 1 }
            let waiting = try await running.list()
            XCTAssertEqual(waiting.count, 3)
            XCTAssertTrue(waiting.allSatisfy(\.leased), "the two waiting in memory were enqueued leased to this lane: \(waiting)")
            lane.cancel()
            await lane.value
            XCTAssertNil(hub.context.jobHandoff.lease(for: Self.counted), "a stopped lane takes no more hand-offs")
            // No lease is left to run out: another runner takes the other two at once.
            let again = try await self.scheduler(hub, CountingJob(runs: runs)).runDue()
            XCTAssertEqual(again, 2)
            XCTAssertEqual(runs.withLockedValue { $0.count }, 3)
            XCTAssertEqual(runs.withLockedValue { Set($0.values) }, [1])
        }
    }
}
