import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
@testable import PayHubServer
import SQLKit
import SQLiteNIO
import XCTest

/// The embedded database's direct connections and its group commit.
final class SQLiteDirectTests: XCTestCase {
    private var folder: URL!
    private var store: SQLiteDirectStore!

    override func setUp() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("payhub-direct-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = try SQLiteDirectStore(
            path: folder.appendingPathComponent("test.sqlite").path, synchronous: .full,
            logger: .init(label: "test"), eventLoop: MultiThreadedEventLoopGroup.singleton.any())
        try store.writer.execute("CREATE TABLE parents (id TEXT PRIMARY KEY)")
        try store.writer.execute("""
            CREATE TABLE items (id TEXT PRIMARY KEY, amount INTEGER NOT NULL, price REAL, note TEXT, flag BOOLEAN NOT NULL, \
            created_at REAL NOT NULL, parent_id TEXT REFERENCES parents(id) DEFERRABLE INITIALLY DEFERRED)
            """)
    }

    override func tearDown() async throws {
        store.close()
        try? FileManager.default.removeItem(at: folder)
    }

    private var reader: any SQLDatabase { store.database(.readers(store.readers)) }

    private func count(_ table: String) async throws -> Int {
        try await reader.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()!.decode(column: "n", as: Int.self)
    }

    private func assertCount(_ table: String, _ expected: Int, line: UInt = #line) async throws {
        let actual = try await count(table)
        XCTAssertEqual(actual, expected, "rows in \(table)", line: line)
    }

    func testValuesRoundTripThroughSQLKitAsFluentWouldStoreThem() async throws {
        let created = Date(timeIntervalSince1970: 1_800_000_000.123)
        let writer = store.database(.connection(store.writer))
        try await writer.raw("""
            INSERT INTO items (id, amount, price, note, flag, created_at) VALUES \
            (\(bind: "a"), \(bind: Int64.max), \(bind: 1.5), \(bind: "héllo \u{0}world"), \(bind: true), \(bind: created))
            """).run()
        try await writer.raw("INSERT INTO items (id, amount, note, flag, created_at) VALUES ('b', -1, \(bind: String?.none), 0, 0)").run()
        let rows = try await reader.raw("SELECT * FROM items ORDER BY id").all()
        XCTAssertEqual(rows.count, 2)
        XCTAssertEqual(try rows[0].decode(column: "amount", as: Int64.self), Int64.max)
        XCTAssertEqual(try rows[0].decode(column: "price", as: Double.self), 1.5)
        XCTAssertEqual(try rows[0].decode(column: "note", as: String.self), "héllo \u{0}world")
        XCTAssertEqual(try rows[0].decode(column: "flag", as: Bool.self), true)
        XCTAssertEqual(try rows[0].decode(column: "created_at", as: Date.self).timeIntervalSince1970, created.timeIntervalSince1970, accuracy: 0.000_001)
        XCTAssertNil(try rows[1].optional("note", as: String.self))
        XCTAssertNil(try rows[1].optional("price", as: Double.self))
        XCTAssertEqual(try rows[1].decode(column: "flag", as: Bool.self), false)
        XCTAssertThrowsError(try rows[1].decode(column: "missing", as: String.self))
    }

    func testConstraintFailuresAreReportedAsSuch() async throws {
        let writer = store.database(.connection(store.writer))
        try await writer.raw("INSERT INTO parents (id) VALUES ('p')").run()
        do {
            try await writer.raw("INSERT INTO parents (id) VALUES ('p')").run()
            XCTFail("a duplicate key was accepted")
        } catch let error as SQLiteDirectError {
            XCTAssertTrue(error.isConstraintFailure, "\(error)")
            XCTAssertFalse(error.isSyntaxError)
        }
        do {
            try await writer.raw("SELEKT 1").run()
            XCTFail("bad SQL was accepted")
        } catch let error as SQLiteDirectError {
            XCTAssertTrue(error.isSyntaxError, "\(error)")
        }
        // The statement cache survives errors: the same statements work again.
        try await writer.raw("INSERT INTO parents (id) VALUES ('q')").run()
        try await assertCount("parents", 2)
    }

    func testAWriteOnAQueryOnlyReaderIsRefusedAsReadOnlyAndWritesNothing() async throws {
        for statement in ["INSERT INTO parents (id) VALUES ('x')", "CREATE TABLE written (id TEXT)"] {
            do {
                try await reader.raw(SQLQueryString(statement)).run()
                XCTFail("a reader ran: \(statement)")
            } catch let error as SQLiteDirectError {
                XCTAssertTrue(error.isReadOnlyRefusal, "refused as a write on a read-only connection, not \(error)")
            }
        }
        // Nothing was written, as the writer itself sees it.
        let writer = store.database(.connection(store.writer))
        let parents = try await writer.raw("SELECT COUNT(*) AS n FROM parents").first()?.decode(column: "n", as: Int.self)
        XCTAssertEqual(parents, 0)
        let tables = try await writer.raw("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'written'").first()?
            .decode(column: "n", as: Int.self)
        XCTAssertEqual(tables, 0)
    }

    func testConcurrentGroupedTransactionsAllCommitAndAFailingOneChangesNothing() async throws {
        let gate = SQLiteWriteGate()
        let store = self.store!
        gate.attach(store)
        defer { gate.attach(nil) }
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<200 {
                group.addTask {
                    do {
                        try await gate.grouped { tx in
                            try await tx.raw("INSERT INTO parents (id) VALUES (\(bind: "p\(index)"))").run()
                            if index % 10 == 0 { throw CancellationError() }
                        }
                        return true
                    } catch is CancellationError {
                        return false
                    }
                }
            }
            var committed = 0
            for try await ok in group where ok { committed += 1 }
            XCTAssertEqual(committed, 180)
        }
        try await assertCount("parents", 180)
        XCTAssertFalse(store.writer.inTransaction, "a group was left open")
    }

    func testAFailedCommitFailsEveryMemberOfItsGroupAndKeepsNothing() async throws {
        let gate = SQLiteWriteGate(maximumMembers: 64, maximumAge: .seconds(60))
        let store = self.store!
        gate.attach(store)
        defer { gate.attach(nil) }
        let release = NIOLockedValueBox(false)
        let entered = NIOLockedValueBox(false)
        // The first writer holds the gate until two more are queued behind it, so all three share one group.
        let first = Task { try await gate.grouped { tx in
            try await tx.raw("INSERT INTO parents (id) VALUES ('kept-if-committed')").run()
            entered.withLockedValue { $0 = true }
            while !release.withLockedValue({ $0 }) { try await Task.sleep(nanoseconds: 1_000_000) }
        } }
        while !entered.withLockedValue({ $0 }) { try await Task.sleep(nanoseconds: 1_000_000) }
        let orphan = Task { try await gate.grouped { tx in
            // Valid when written; the deferred foreign key fails the whole group's COMMIT.
            try await tx.raw("INSERT INTO items (id, amount, flag, created_at, parent_id) VALUES ('i', 1, 1, 0, 'nobody')").run()
        } }
        while gate.waiting < 1 { try await Task.sleep(nanoseconds: 1_000_000) }
        let third = Task { try await gate.grouped { tx in
            try await tx.raw("INSERT INTO parents (id) VALUES ('also-lost')").run()
        } }
        while gate.waiting < 2 { try await Task.sleep(nanoseconds: 1_000_000) }
        release.withLockedValue { $0 = true }
        let results = [await first.result, await orphan.result, await third.result]
        for result in results {
            XCTAssertThrowsError(try result.get(), "a member of a failed group was acknowledged")
        }
        try await assertCount("parents", 0)
        try await assertCount("items", 0)
        // The gate goes on working.
        try await gate.grouped { tx in try await tx.raw("INSERT INTO parents (id) VALUES ('after')").run() }
        try await assertCount("parents", 1)
    }

    func testExclusiveWritersWaitForTheOpenGroupToCommit() async throws {
        let gate = SQLiteWriteGate(maximumMembers: 64, maximumAge: .seconds(60))
        let store = self.store!
        gate.attach(store)
        defer { gate.attach(nil) }
        let path = folder.appendingPathComponent("test.sqlite").path
        let seen = try await withThrowingTaskGroup(of: Int?.self) { group in
            for index in 0..<20 {
                group.addTask {
                    try await gate.grouped { tx in try await tx.raw("INSERT INTO parents (id) VALUES (\(bind: "g\(index)"))").run() }
                    return nil
                }
            }
            group.addTask {
                // Another connection, as Fluent's would be: it can write only once no group holds the lock.
                try await gate.exclusive {
                    let other = try SQLiteDirectConnection(path: path, options: .init(synchronous: .full, queryOnly: false))
                    defer { other.close() }
                    try other.execute("BEGIN IMMEDIATE")
                    var count = 0
                    try other.query("SELECT COUNT(*) AS n FROM parents", []) { count = try $0.decode(column: "n", as: Int.self) }
                    try other.execute("COMMIT")
                    return count
                }
            }
            var seen: Int?
            for try await value in group { if let value { seen = value } }
            return seen
        }
        XCTAssertNotNil(seen)
        try await assertCount("parents", 20)
    }

    /// `stop()` runs what is still queued and then ends the thread, even when the stop arrives while a job runs.
    func testTheWriterThreadStopsAfterItsQueuedJobs() async throws {
        let thread = SQLiteWriterThread(name: "test-writer")
        let ran = NIOLockedValueBox(0)
        let started = NIOLockedValueBox(false)
        let first = Task(executorPreference: thread) {
            started.withLockedValue { $0 = true }
            usleep(100_000)
            ran.withLockedValue { $0 += 1 }
        }
        while !started.withLockedValue({ $0 }) { try await Task.sleep(nanoseconds: 1_000_000) }
        let second = Task(executorPreference: thread) { ran.withLockedValue { $0 += 1 } }
        let returned = NIOLockedValueBox(false)
        Thread.detachNewThread {
            thread.stop()
            returned.withLockedValue { $0 = true }
        }
        var waited = 0
        while !returned.withLockedValue({ $0 }) && waited < 5_000 {
            try await Task.sleep(nanoseconds: 1_000_000)
            waited += 1
        }
        let stopped = returned.withLockedValue { $0 }
        XCTAssertTrue(stopped, "stop() did not return: the thread waits for work that will never come")
        guard stopped else { return }
        _ = await (first.value, second.value)
        XCTAssertEqual(ran.withLockedValue { $0 }, 2)
    }

    /// `PAYHUB_SQLITE_SYNCHRONOUS` reaches every direct connection: FULL (2) fsyncs each commit, NORMAL (1) does not.
    func testTheConfiguredSynchronousModeIsTheConnectionsOwn() throws {
        for (mode, expected) in [(PayHubConfig.SQLiteSynchronous.full, 2), (.normal, 1)] {
            let connection = try SQLiteDirectConnection(
                path: folder.appendingPathComponent("mode.sqlite").path, options: .init(synchronous: mode, queryOnly: false))
            defer { connection.close() }
            var level = -1
            var journal = ""
            try connection.query("PRAGMA synchronous", []) { level = try $0.decode(column: "synchronous", as: Int.self) }
            try connection.query("PRAGMA journal_mode", []) { journal = try $0.decode(column: "journal_mode", as: String.self) }
            XCTAssertEqual(level, expected, "\(mode)")
            XCTAssertEqual(journal, "wal")
        }
    }

    /// A statement whose plan looks at its bound values (`WHERE column = ? ORDER BY ...`) is not prepared again every
    /// time it runs with new values, while another connection writes between the runs (as PayHub's writer does);
    /// and a literal condition still picks a partial index.
    func testAStatementRunWithNewValuesIsNotPreparedAgain() throws {
        let path = folder.appendingPathComponent("plans.sqlite").path
        let writer = try SQLiteDirectConnection(path: path, options: .init(synchronous: .normal, queryOnly: false))
        defer { writer.close() }
        try writer.execute("CREATE TABLE items (id TEXT PRIMARY KEY, owner TEXT, status TEXT, position INTEGER)")
        try writer.execute("CREATE INDEX items_owner ON items (owner)")
        try writer.execute("CREATE INDEX items_owed ON items (owner, position) WHERE status = 'pending'")
        let reader = try SQLiteDirectConnection(path: path, options: .init(synchronous: .normal, queryOnly: true))
        defer { reader.close() }
        for round in 0..<20 {
            try writer.query("INSERT INTO items VALUES (?, ?, 'pending', ?)", [.text("i\(round)"), .text("o\(round % 3)"), .integer(round)]) { _ in }
            try reader.query("SELECT id FROM items WHERE owner = ? AND status = ? ORDER BY position, id", [.text("o\(round % 3)"), .text("pending")]) { _ in }
        }
        XCTAssertEqual(reader.repreparations, 0)

        var plan: [String] = []
        try reader.query("EXPLAIN QUERY PLAN SELECT id FROM items WHERE owner = ? AND status = 'pending' ORDER BY position", [.text("o1")]) {
            plan.append(try $0.decode(column: "detail", as: String.self))
        }
        XCTAssertTrue(plan.joined().contains("items_owed"), "\(plan)")
    }

    /// A write started inside another would wait for it forever; it is refused instead.
    func testAWriteInsideAnotherIsRefused() async throws {
        let gate = SQLiteWriteGate()
        gate.attach(store)
        defer { gate.attach(nil) }
        do {
            try await gate.grouped { _ in try await gate.grouped { _ in } }
            XCTFail("a nested write ran")
        } catch let error as SQLiteDirectError {
            XCTAssertEqual(error.code, 21, "\(error)")
        }
        do {
            try await gate.exclusive { try await gate.grouped { _ in } }
            XCTFail("a write inside an exclusive one ran")
        } catch is SQLiteDirectError {}
        // The gate still works afterwards.
        try await gate.grouped { tx in try await tx.raw("INSERT INTO parents (id) VALUES ('after')").run() }
        try await assertCount("parents", 1)
    }
}
