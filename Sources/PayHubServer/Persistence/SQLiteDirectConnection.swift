import FluentKit
import Foundation
import NIOCore
import NIOConcurrencyHelpers
import CSQLitePlanner
import SQLiteNIO
import VaporCSQLite

/// One SQLite connection that runs statements synchronously on the calling thread, with its prepared statements
/// kept for reuse. SQLite answers from its page cache in microseconds, far less than a hop to a thread pool and
/// back, so PayHub's hot path talks to SQLite this way. It is not thread-safe: its owner serialises its use.
final class SQLiteDirectConnection: @unchecked Sendable {
    struct Options: Sendable {
        var synchronous: PayHubConfig.SQLiteSynchronous
        var queryOnly: Bool
    }

    /// The column names of a prepared statement, shared by every row it returns.
    final class Columns: Sendable {
        let names: [String]
        let index: [String: Int]

        init(names: [String]) {
            self.names = names
            self.index = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    private struct Prepared {
        var statement: OpaquePointer
        var columns: Columns
    }

    private var handle: OpaquePointer?
    private var cache: [String: Prepared] = [:]
    private static let cacheLimit = 512
    private static let initialised = NIOLockedValueBox(false)

    init(path: String, options: Options) throws {
        Self.initialised.withLockedValue { done in
            if !done { sqlite_nio_sqlite3_initialize(); done = true }
        }
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let status = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite_nio_sqlite3_close_v2(handle)
            throw SQLiteDirectError(code: status, message: "cannot open \(path): \(message)")
        }
        self.handle = handle
        sqlite_nio_sqlite3_busy_timeout(handle, 5_000)
        // Plans that do not depend on bound values. Otherwise SQLite prepares a statement again whenever it runs
        // with new values if its plan looked at them (any `WHERE column = ? ORDER BY ...`): a parse per query.
        // A query that needs a partial index writes the index's condition as a literal.
        try check(payhub_sqlite_enable_stable_plans(UnsafeMutableRawPointer(handle)), on: handle)
        try execute("PRAGMA journal_mode = WAL")
        try execute("PRAGMA synchronous = \(options.synchronous.rawValue)")
        try execute("PRAGMA foreign_keys = ON")
        if options.queryOnly { try execute("PRAGMA query_only = ON") }
    }

    deinit { close() }

    func close() {
        for prepared in cache.values { sqlite_nio_sqlite3_finalize(prepared.statement) }
        cache.removeAll()
        if let handle { sqlite_nio_sqlite3_close_v2(handle) }
        handle = nil
    }

    /// Whether a transaction is open (SQLite rolls one back by itself after some errors).
    var inTransaction: Bool {
        guard let handle else { return false }
        return sqlite_nio_sqlite3_get_autocommit(handle) == 0
    }

    /// Runs a statement that returns no rows of interest (pragmas, BEGIN, COMMIT).
    func execute(_ sql: String) throws {
        _ = try query(sql, []) { _ in }
    }

    /// Runs one statement with its binds, calling `onRow` for each row, and returns the number of rows changed.
    @discardableResult
    func query(_ sql: String, _ binds: [SQLiteData], onRow: (SQLiteDirectRow) throws -> Void) throws -> Int {
        guard let handle else { throw SQLiteDirectError(code: SQLITE_MISUSE, message: "the connection is closed") }
        let prepared = try prepare(sql, on: handle)
        let statement = prepared.statement
        defer {
            sqlite_nio_sqlite3_reset(statement)
            sqlite_nio_sqlite3_clear_bindings(statement)
        }
        for (offset, value) in binds.enumerated() {
            try check(bind(value, at: Int32(offset + 1), to: statement), on: handle)
        }
        let width = Int32(prepared.columns.names.count)
        while true {
            let status = sqlite_nio_sqlite3_step(statement)
            if status == SQLITE_DONE { break }
            guard status == SQLITE_ROW else { throw error(status, on: handle) }
            var values: [SQLiteData] = []
            values.reserveCapacity(Int(width))
            for column in 0..<width { values.append(value(at: column, of: statement)) }
            try onRow(SQLiteDirectRow(columns: prepared.columns, values: values))
        }
        return Int(sqlite_nio_sqlite3_changes(handle))
    }

    /// How many times the kept statements were prepared again since they were first prepared (a diagnostic).
    var repreparations: Int {
        cache.values.reduce(0) { $0 + Int(sqlite_nio_sqlite3_stmt_status($1.statement, SQLITE_STMTSTATUS_REPREPARE, 0)) }
    }

    private func prepare(_ sql: String, on handle: OpaquePointer) throws -> Prepared {
        if let prepared = cache[sql] { return prepared }
        if cache.count >= Self.cacheLimit {
            for prepared in cache.values { sqlite_nio_sqlite3_finalize(prepared.statement) }
            cache.removeAll()
        }
        var statement: OpaquePointer?
        let status = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard status == SQLITE_OK, let statement else { throw error(status, on: handle) }
        let count = sqlite_nio_sqlite3_column_count(statement)
        let names = (0..<count).map { String(cString: sqlite_nio_sqlite3_column_name(statement, $0)) }
        let prepared = Prepared(statement: statement, columns: Columns(names: names))
        cache[sql] = prepared
        return prepared
    }

    private func bind(_ value: SQLiteData, at index: Int32, to statement: OpaquePointer) -> Int32 {
        switch value {
        case .integer(let integer):
            return sqlite_nio_sqlite3_bind_int64(statement, index, Int64(integer))
        case .float(let double):
            return sqlite_nio_sqlite3_bind_double(statement, index, double)
        case .text(let text):
            return text.withCString { sqlite_nio_sqlite3_bind_text64(
                statement, index, $0, UInt64(text.utf8.count), Self.transient, UInt8(SQLITE_UTF8))
            }
        case .blob(let buffer):
            return buffer.withUnsafeReadableBytes {
                sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), Self.transient)
            }
        case .null:
            return sqlite_nio_sqlite3_bind_null(statement, index)
        }
    }

    private func value(at column: Int32, of statement: OpaquePointer) -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER:
            return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, column)))
        case SQLITE_FLOAT:
            return .float(sqlite_nio_sqlite3_column_double(statement, column))
        case SQLITE_TEXT:
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            guard let text = sqlite_nio_sqlite3_column_text(statement, column) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            if let bytes = sqlite_nio_sqlite3_column_blob(statement, column) {
                buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: count))
            }
            return .blob(buffer)
        default:
            return .null
        }
    }

    private func check(_ status: Int32, on handle: OpaquePointer) throws {
        guard status == SQLITE_OK else { throw error(status, on: handle) }
    }

    private func error(_ status: Int32, on handle: OpaquePointer) -> SQLiteDirectError {
        SQLiteDirectError(
            code: sqlite_nio_sqlite3_extended_errcode(handle), message: String(cString: sqlite_nio_sqlite3_errmsg(handle)))
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

/// An SQLite failure, classified the way Fluent's callers expect (a unique key taken is a constraint failure).
struct SQLiteDirectError: Error, DatabaseError, CustomStringConvertible {
    let code: Int32
    let message: String

    var description: String { "SQLite error \(code): \(message)" }
    var isSyntaxError: Bool { code & 0xFF == SQLITE_ERROR }
    var isConstraintFailure: Bool { code & 0xFF == SQLITE_CONSTRAINT }
    /// A write refused on a read-only (`query_only`) connection.
    var isReadOnlyRefusal: Bool { code & 0xFF == SQLITE_READONLY }
    var isConnectionClosed: Bool { code & 0xFF == SQLITE_MISUSE }
}
