import Fluent
import FluentPostgresDriver
import SQLKit
import NIOConcurrencyHelpers
import Vapor

/// Runs transactions and hands out the databases the services use.
///
/// On PostgreSQL, everything goes through Fluent's pool and rows are locked with `SELECT ... FOR UPDATE`, so
/// concurrent processes serialise on the object they change. SQLite has one writer per file, so this process
/// queues its writers itself (`SQLiteWriteGate`) rather than letting them collide on `SQLITE_BUSY`, and runs SQL on
/// direct connections (`SQLiteDirectStore`) one statement at a time on the calling thread.
struct Transactor: Sendable {
    let isPostgres: Bool
    private let sqliteGate = SQLiteWriteGate()
    private let direct = NIOLockedValueBox<SQLiteDirectStore?>(nil)

    init(isPostgres: Bool) {
        self.isPostgres = isPostgres
    }

    /// Set when the embedded database is configured.
    func attach(_ store: SQLiteDirectStore) {
        direct.withLockedValue { $0 = store }
        sqliteGate.attach(store)
    }

    /// Closes the direct connections once no transaction holds the writer.
    func detach() async {
        guard let store = direct.withLockedValue({ store in defer { store = nil }; return store }) else { return }
        try? await sqliteGate.exclusive { store.close() }
        sqliteGate.attach(nil)
    }

    /// A Fluent transaction (for code written with Fluent models). `AfterCommit` actions run once it committed.
    func write<T: Sendable>(on db: any Database, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await AfterCommit.collecting { afterCommit in
            let transaction = { try await db.transaction { tx in try await afterCommit.scope { try await body(tx) } } }
            if isPostgres { return try await transaction() }
            return try await sqliteGate.exclusive { try await transaction() }
        }
    }

    /// An SQL transaction (for code written with SQLKit). It has returned only once it is durable.
    func writeSQL<T: Sendable>(on db: any Database, _ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        guard !isPostgres, direct.withLockedValue({ $0 }) != nil else {
            return try await write(on: db) { tx in try await body(tx.sql) }
        }
        return try await AfterCommit.collecting { afterCommit in
            try await sqliteGate.grouped { db in try await afterCommit.scope { try await body(db) } }
        }
    }

    /// Where SQL reads outside a transaction go.
    func reader(_ db: any Database) -> any SQLDatabase {
        guard !isPostgres, let store = direct.withLockedValue({ $0 }) else { return db.sql }
        return store.database(.readers(store.readers))
    }
}

extension Database {
    /// Both of PayHub's Fluent drivers speak SQLKit.
    var sql: any SQLDatabase {
        guard let sql = self as? any SQLDatabase else { preconditionFailure("PayHub's databases are SQL databases") }
        return sql
    }
}

extension SQLDatabase {
    /// Locks a row until the transaction ends (PostgreSQL); a no-op under SQLite, whose writers take turns.
    func lockForUpdate(_ table: String, id: String) async throws {
        guard dialect.name == "postgresql" else { return }
        try await raw("SELECT id FROM \(ident: table) WHERE id = \(bind: id) FOR UPDATE").run()
    }
}
