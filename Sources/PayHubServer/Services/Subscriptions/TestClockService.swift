import FluentKit
import Foundation
import Logging
import PayHubCore
import SQLKit

/// Test clocks (test mode only): a time that the subscriptions created with it follow instead of the wall clock.
/// Advancing one moves it forward and runs, before answering, everything due by then for its subscriptions:
/// renewals and their payments, trial ends, dunning retries, cancellations at period end, expirations, and the
/// notifications they enqueue.
struct TestClockService: Sendable {
    let context: PayHubContext
    let db: any Database
    let logger: Logger

    var reader: any SQLDatabase { context.transactor.reader(db) }
    var clocks: TestClockRepository { TestClockRepository() }

    /// How far one advance may go: ten years of renewals.
    static let maximumAdvance: TimeInterval = 3_660 * 86_400

    func create(_ input: CreateTestClockRequest, principal: Principal) async throws -> TestClockRecord {
        let scope = try testScope(principal)
        try InputRules.text(input.name, max: 200, param: "name")
        guard (0...4_102_444_800).contains(input.frozenTime) else {
            throw ServiceError.invalid("parameter_invalid", "frozen_time must be unix seconds before 2100.", param: "frozen_time")
        }
        let now = context.clock.now()
        if let key = RequestIdempotency.key, let existing = try await clocks.clock(
            createdByIdempotencyKey: key, in: scope, since: now.addingTimeInterval(-IdempotencyService.lifetime), on: reader) {
            return existing
        }
        let record = TestClockRecord(
            id: context.ids.make(), scope: scope, name: input.name, frozenTime: Date(timeIntervalSince1970: TimeInterval(input.frozenTime)),
            createdAt: now, updatedAt: now, idempotencyKey: RequestIdempotency.key)
        try await context.transactor.writeSQL(on: db) { tx in try await TestClockRepository().insert(record, on: tx) }
        return record
    }

    func retrieve(_ id: String, principal: Principal) async throws -> TestClockRecord {
        let scope = try testScope(principal)
        guard let clockID = TestClockID(validating: id), let record = try await clocks.clock(clockID, in: scope, on: reader) else {
            throw ServiceError.notFound("test_clock", id: id)
        }
        return record
    }

    func list(principal: Principal, page: PageRequest) async throws -> RecordPage<TestClockRecord> {
        try await clocks.clocks(in: try testScope(principal), page: page, on: reader)
    }

    /// Moves the clock forward to `frozenTime` and runs its subscriptions' due work. Forward only: a time before
    /// the clock's is refused; the same time again runs what is due and changes nothing else.
    func advance(_ id: String, to frozenTime: Int64, principal: Principal) async throws -> TestClockRecord {
        let current = try await retrieve(id, principal: principal)
        let target = Date(timeIntervalSince1970: TimeInterval(frozenTime))
        guard target >= current.frozenTime else {
            throw ServiceError.invalid("test_clock_backwards", "A test clock only moves forward: frozen_time is before the clock's.", param: "frozen_time")
        }
        guard target.timeIntervalSince(current.frozenTime) <= Self.maximumAdvance else {
            throw ServiceError.invalid("parameter_invalid", "One advance may move a test clock at most ten years.", param: "frozen_time")
        }
        let now = context.clock.now()
        let advanced = try await context.transactor.writeSQL(on: db) { tx -> TestClockRecord in
            guard var locked = try await TestClockRepository().lock(current.id, in: current.scope, on: tx) else {
                throw ServiceError.notFound("test_clock", id: id)
            }
            guard target >= locked.frozenTime else {
                throw ServiceError.conflict("test_clock_backwards", "The clock was advanced past frozen_time meanwhile.")
            }
            locked.frozenTime = target
            locked.updatedAt = now
            try await TestClockRepository().advance(locked, on: tx)
            return locked
        }
        let renewals = SubscriptionRenewals(context: context, db: db, logger: logger)
        for subscription in try await SubscriptionRepository().subscriptionIDs(following: advanced.id, in: advanced.scope, on: reader) {
            _ = try await renewals.run(subscription)
        }
        return advanced
    }

    private func testScope(_ principal: Principal) throws -> TenantScope {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        guard !principal.scope.livemode else {
            throw ServiceError.invalid("test_clock_livemode", "Test clocks exist in test mode only: use a test key.")
        }
        return principal.scope
    }
}
