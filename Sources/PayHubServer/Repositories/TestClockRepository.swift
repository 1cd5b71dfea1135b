import Foundation
import PayHubCore
import SQLKit

/// Test clocks: the only code that reads or writes `test_clocks`.
struct TestClockRepository: Sendable {
    static let table = "test_clocks"
    private static let columns = "id, merchant_id, livemode, name, frozen_time, created_at, updated_at, idempotency_key"

    func insert(_ record: TestClockRecord, on tx: any SQLDatabase) async throws {
        let values: [any Encodable & Sendable] = [
            record.id.rawValue, record.scope.merchantID, record.scope.livemode, record.name, record.frozenTime, record.createdAt,
            record.updatedAt, record.idempotencyKey,
        ]
        try await tx.raw("INSERT INTO test_clocks (\(unsafeRaw: Self.columns)) VALUES (\(binds: values))").run()
    }

    func clock(_ id: TestClockID, in scope: TenantScope, on db: any SQLDatabase) async throws -> TestClockRecord? {
        guard let row = try await db.raw(ScopedSelect.byID(id.rawValue, from: Self.table, columns: Self.columns, in: scope)).first()
        else { return nil }
        return try Self.record(row: row)
    }

    /// The clock, locked until the transaction ends (one advance at a time).
    func lock(_ id: TestClockID, in scope: TenantScope, on tx: any SQLDatabase) async throws -> TestClockRecord? {
        try await tx.lockForUpdate(Self.table, id: id.rawValue)
        return try await clock(id, in: scope, on: tx)
    }

    func clock(createdByIdempotencyKey key: String, in scope: TenantScope, since: Date, on db: any SQLDatabase) async throws -> TestClockRecord? {
        let query = ScopedSelect.createdBy(idempotencyKey: key, from: Self.table, columns: Self.columns, in: scope, since: since)
        guard let row = try await db.raw(query).first() else { return nil }
        return try Self.record(row: row)
    }

    func clocks(in scope: TenantScope, page: PageRequest, on db: any SQLDatabase) async throws -> RecordPage<TestClockRecord> {
        let found = try await ScopedPage.rows(from: Self.table, columns: Self.columns, in: scope, filters: [], page: page, on: db)
        return RecordPage(items: try found.rows.map(Self.record(row:)), hasMore: found.hasMore)
    }

    /// The time a subscription that follows this clock sees.
    func frozenTime(of id: TestClockID, on db: any SQLDatabase) async throws -> Date? {
        guard let row = try await db.raw("SELECT frozen_time FROM test_clocks WHERE id = \(bind: id.rawValue)").first() else { return nil }
        return try row.decode(column: "frozen_time", as: Date.self)
    }

    func advance(_ record: TestClockRecord, on tx: any SQLDatabase) async throws {
        try await tx.raw("""
            UPDATE test_clocks SET frozen_time = \(bind: record.frozenTime), updated_at = \(bind: record.updatedAt) \
            WHERE id = \(bind: record.id.rawValue) AND merchant_id = \(bind: record.scope.merchantID) \
            AND livemode = \(bind: record.scope.livemode)
            """).run()
    }

    private static func record(row: any SQLRow) throws -> TestClockRecord {
        let stored = try StoredRow(table: table, id: try row.decode(column: "id", as: String.self))
        return TestClockRecord(
            id: try stored.id(stored.id, column: "id"), scope: try TenantScope(row: row), name: try row.optional("name"),
            frozenTime: try row.decode(column: "frozen_time", as: Date.self), createdAt: try row.decode(column: "created_at", as: Date.self),
            updatedAt: try row.decode(column: "updated_at", as: Date.self), idempotencyKey: try row.optional("idempotency_key"))
    }
}
