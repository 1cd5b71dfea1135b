import NIOConcurrencyHelpers

/// Serialises this process's writes to the embedded database, and commits SQL transactions in groups.
///
/// SQL transactions (`grouped`) are queued; one drainer task, on a thread of its own (`SQLiteWriterThread`), runs
/// their bodies one after another on the direct writer connection, each inside a savepoint of a shared transaction,
/// and commits that transaction when the queue is empty or the group is full or old. Only then do the members get
/// their results: one fsync covers a whole group, and a failed commit fails every member, so nothing is
/// acknowledged that is not durable. The drainer runs each body itself, so the writer never waits for a waiting
/// task to be scheduled. Fluent transactions (`exclusive`) take their turn in the same queue and run alone, on
/// Fluent's own connections, after the open group has committed.
final class SQLiteWriteGate: Sendable {
    private enum Job {
        case grouped(GroupedWrite)
        case exclusive(CheckedContinuation<Void, Never>)
    }

    private struct State {
        var busy = false
        var queue: [Job] = []
        var store: SQLiteDirectStore?
        var thread: SQLiteWriterThread?
        /// The drainer, waiting for the exclusive writer it let in to finish.
        var drainerAwaitingExclusive: CheckedContinuation<Void, Never>?
    }

    private let state = NIOLockedValueBox(State())
    private let maximumMembers: Int
    private let maximumAge: Duration

    init(maximumMembers: Int = 64, maximumAge: Duration = .milliseconds(4)) {
        self.maximumMembers = maximumMembers
        self.maximumAge = maximumAge
    }

    /// The direct connections the grouped writes run on; nil stops the writer thread.
    func attach(_ store: SQLiteDirectStore?) {
        let retired = state.withLockedValue { state -> SQLiteWriterThread? in
            state.store = store
            if store != nil {
                if state.thread == nil { state.thread = SQLiteWriterThread() }
                return nil
            }
            defer { state.thread = nil }
            return state.thread
        }
        retired?.stop()
    }

    /// How many writers wait for their turn (for tests).
    var waiting: Int { state.withLockedValue { $0.queue.count } }

    /// Runs `body` as one transaction on the direct writer; returns once the transaction is durable.
    func grouped<T: Sendable>(_ body: @escaping @Sendable (SQLiteDirectDatabase) async throws -> T) async throws -> T {
        try Self.refuseNesting()
        let write = GroupedWrite { try await body($0) }
        let startDrainer = state.withLockedValue { state -> Bool in
            state.queue.append(.grouped(write))
            guard !state.busy else { return false }
            state.busy = true
            return true
        }
        if startDrainer { startDraining() }
        guard let value = try await write.result() as? T else { preconditionFailure("a grouped write returned another type") }
        return value
    }

    /// Runs `body` alone, with no group open.
    func exclusive<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try Self.refuseNesting()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLockedValue { state -> Bool in
                guard state.busy else {
                    state.busy = true
                    return true
                }
                state.queue.append(.exclusive(continuation))
                return false
            }
            if now { continuation.resume() }
        }
        defer { finishExclusive() }
        return try await Self.$insideWrite.withValue(true) { try await body() }
    }

    /// Set while a write runs: a write started from inside another would wait for it forever.
    @TaskLocal fileprivate static var insideWrite = false

    private static func refuseNesting() throws {
        guard !insideWrite else {
            throw SQLiteDirectError(code: 21 /* SQLITE_MISUSE */, message: "a write transaction was started inside another")
        }
    }

    private func finishExclusive() {
        let (drainer, startDrainer) = state.withLockedValue { state -> (CheckedContinuation<Void, Never>?, Bool) in
            if let drainer = state.drainerAwaitingExclusive {
                state.drainerAwaitingExclusive = nil
                return (drainer, false)
            }
            if state.queue.isEmpty {
                state.busy = false
                return (nil, false)
            }
            return (nil, true)
        }
        drainer?.resume()
        if startDrainer { startDraining() }
    }

    private func startDraining() {
        let thread = state.withLockedValue { $0.thread }
        Task(executorPreference: thread) { await self.drain() }
    }

    /// Runs queued writes until the queue is empty.
    private func drain() async {
        var group = OpenGroup()
        while true {
            let (job, store) = state.withLockedValue { state -> (Job?, SQLiteDirectStore?) in
                (state.queue.isEmpty ? nil : state.queue.removeFirst(), state.store)
            }
            guard let job else {
                if group.isOpen, let store {
                    group.commit(store.writer)
                    continue
                }
                let finished = state.withLockedValue { state -> Bool in
                    guard state.queue.isEmpty else { return false }
                    state.busy = false
                    return true
                }
                if finished { return }
                continue
            }
            switch job {
            case .grouped(let write):
                guard let store else {
                    write.complete(.failure(SQLiteDirectError(code: 21 /* SQLITE_MISUSE */, message: "the database is closed")))
                    continue
                }
                if group.isDue(maximumMembers: maximumMembers, maximumAge: maximumAge) { group.commit(store.writer) }
                await group.run(write, on: store)
            case .exclusive(let writer):
                if group.isOpen, let store { group.commit(store.writer) }
                await withCheckedContinuation { (drainer: CheckedContinuation<Void, Never>) in
                    state.withLockedValue { $0.drainerAwaitingExclusive = drainer }
                    writer.resume()
                }
            }
        }
    }
}

/// The shared transaction of the writes run so far, and the members waiting for its commit.
private struct OpenGroup {
    private var openedAt: ContinuousClock.Instant?
    private var members: [(write: GroupedWrite, value: any Sendable)] = []

    var isOpen: Bool { openedAt != nil }

    func isDue(maximumMembers: Int, maximumAge: Duration) -> Bool {
        guard let openedAt else { return false }
        return members.count >= maximumMembers || ContinuousClock.now - openedAt >= maximumAge
    }

    mutating func run(_ write: GroupedWrite, on store: SQLiteDirectStore) async {
        let writer = store.writer
        do {
            if isOpen && !writer.inTransaction {
                fail(SQLiteDirectError(code: 4 /* SQLITE_ABORT */, message: "SQLite rolled back the transaction group"))
            }
            if !isOpen {
                try writer.execute("BEGIN IMMEDIATE")
                openedAt = .now
            }
            try writer.execute("SAVEPOINT payhub_write")
        } catch {
            write.complete(.failure(error))
            return
        }
        do {
            let value = try await SQLiteWriteGate.$insideWrite.withValue(true) {
                try await write.body(store.database(.connection(writer)))
            }
            try writer.execute("RELEASE payhub_write")
            members.append((write, value))
        } catch {
            try? writer.execute("ROLLBACK TO payhub_write")
            try? writer.execute("RELEASE payhub_write")
            write.complete(.failure(error))
        }
    }

    /// Commits (on the writer thread, so the fsync stalls no event loop), then tells every member.
    mutating func commit(_ writer: SQLiteDirectConnection) {
        let result: Result<Void, any Error>
        do {
            try writer.execute("COMMIT")
            result = .success(())
        } catch {
            try? writer.execute("ROLLBACK")
            result = .failure(error)
        }
        for member in members { member.write.complete(result.map { member.value }) }
        members = []
        openedAt = nil
    }

    /// After an error that made SQLite roll back the whole group, none of its members is durable.
    private mutating func fail(_ error: any Error) {
        for member in members { member.write.complete(.failure(error)) }
        members = []
        openedAt = nil
    }
}

/// A transaction body waiting for its turn, and its outcome once its group has committed.
private final class GroupedWrite: Sendable {
    let body: @Sendable (SQLiteDirectDatabase) async throws -> any Sendable
    private let outcome = NIOLockedValueBox<(result: Result<any Sendable, any Error>?, waiter: CheckedContinuation<any Sendable, any Error>?)>((nil, nil))

    init(_ body: @escaping @Sendable (SQLiteDirectDatabase) async throws -> any Sendable) {
        self.body = body
    }

    func result() async throws -> any Sendable {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<any Sendable, any Error>) in
            let ready = outcome.withLockedValue { outcome -> Result<any Sendable, any Error>? in
                if let result = outcome.result { return result }
                outcome.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    func complete(_ result: Result<any Sendable, any Error>) {
        let waiter = outcome.withLockedValue { outcome -> CheckedContinuation<any Sendable, any Error>? in
            outcome.result = result
            defer { outcome.waiter = nil }
            return outcome.waiter
        }
        waiter?.resume(with: result)
    }
}
