import Fluent
import FluentPostgresDriver
import SQLKit
import NIOConcurrencyHelpers
import Vapor

/// Runs write transactions. On PostgreSQL, rows are locked with `SELECT ... FOR UPDATE` so concurrent
/// processes serialise on the object they change. SQLite has one writer per file, so this process queues its
/// writers itself rather than letting them collide on `SQLITE_BUSY`.
struct Transactor: Sendable {
    let isPostgres: Bool
    private let sqliteWriters = AsyncMutex()

    init(isPostgres: Bool) {
        self.isPostgres = isPostgres
    }

    func write<T: Sendable>(on db: any Database, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        if isPostgres { return try await db.transaction(body) }
        return try await sqliteWriters.withLock { try await db.transaction(body) }
    }

    /// Locks a row until the transaction ends (PostgreSQL); a no-op under SQLite's single writer.
    func lock(_ table: String, id: String, on db: any Database) async throws {
        guard isPostgres, let sql = db as? any SQLDatabase else { return }
        try await sql.raw("SELECT id FROM \(ident: table) WHERE id = \(bind: id) FOR UPDATE").run()
    }
}

/// A first-in first-out async lock.
final class AsyncMutex: @unchecked Sendable {
    private let state = NIOLockedValueBox<(locked: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func withLock<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let acquired = state.withLockedValue { state -> Bool in
                if !state.locked {
                    state.locked = true
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if acquired { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.locked = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
