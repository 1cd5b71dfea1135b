import NIOConcurrencyHelpers
import NIOPosix

/// Serialises this process's writes to the embedded database, and commits SQL transactions in groups.
///
/// SQL transactions (`grouped`) run one after another on the direct writer connection, each inside a savepoint of
/// a shared transaction. The shared transaction commits, on a pool thread rather than an event loop, as soon as no
/// further SQL transaction is waiting (or the group is full or old); only then do its members return. One fsync
/// covers a whole group, and a failed commit fails every member, so nothing is acknowledged that is not durable.
/// Fluent transactions (`exclusive`) run alone on Fluent's own connections, after the open group has committed.
final class SQLiteWriteGate: Sendable {
    private enum Kind {
        case grouped, exclusive
    }

    private struct State {
        var held = false
        var waiters: [(kind: Kind, continuation: CheckedContinuation<Void, Never>)] = []
        var groupOpenedAt: ContinuousClock.Instant?
        var members: [CommitTicket] = []
    }

    private let state = NIOLockedValueBox(State())
    private let maximumMembers: Int
    private let maximumAge: Duration

    init(maximumMembers: Int = 64, maximumAge: Duration = .milliseconds(4)) {
        self.maximumMembers = maximumMembers
        self.maximumAge = maximumAge
    }

    /// How many writers wait for their turn (for tests).
    var waiting: Int { state.withLockedValue { $0.waiters.count } }

    /// Runs `body` as one transaction on the direct writer; returns once the transaction is durable.
    func grouped<T: Sendable>(on store: SQLiteDirectStore, _ body: (SQLiteDirectDatabase) async throws -> T) async throws -> T {
        await acquire(.grouped)
        let writer = store.writer
        let outcome: Result<T, any Error>
        do {
            if state.withLockedValue({ $0.groupOpenedAt != nil }) && !writer.inTransaction {
                failGroup(SQLiteDirectError(code: 4 /* SQLITE_ABORT */, message: "SQLite rolled back the transaction group"))
            }
            if state.withLockedValue({ $0.groupOpenedAt == nil }) {
                try writer.execute("BEGIN IMMEDIATE")
                state.withLockedValue { $0.groupOpenedAt = .now }
            }
            try writer.execute("SAVEPOINT payhub_write")
            do {
                let value = try await body(store.database(.connection(writer)))
                try writer.execute("RELEASE payhub_write")
                outcome = .success(value)
            } catch {
                try? writer.execute("ROLLBACK TO payhub_write")
                try? writer.execute("RELEASE payhub_write")
                outcome = .failure(error)
            }
        } catch {
            outcome = .failure(error)
        }
        let ticket = CommitTicket()
        if case .success = outcome { state.withLockedValue { $0.members.append(ticket) } }
        await endTurn(on: store)
        let value = try outcome.get()
        try await ticket.wait()
        return value
    }

    /// Runs `body` alone, with no group open.
    func exclusive<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await acquire(.exclusive)
        defer { release() }
        return try await body()
    }

    /// Commits the open group if it is due: nobody else is waiting to join it, or it is full or old.
    private func endTurn(on store: SQLiteDirectStore) async {
        let due = state.withLockedValue { state -> [CommitTicket]? in
            guard let openedAt = state.groupOpenedAt else { return nil }
            let joinable = state.waiters.first?.kind == .grouped
            let full = state.members.count >= maximumMembers || ContinuousClock.now - openedAt >= maximumAge
            guard !joinable || full else { return nil }
            defer {
                state.members = []
                state.groupOpenedAt = nil
            }
            return state.members
        }
        if let members = due {
            let result = await commit(store.writer)
            for member in members { member.complete(result) }
        }
        release()
    }

    /// After an error that made SQLite roll back the whole group, none of its members is durable.
    private func failGroup(_ error: any Error) {
        let lost = state.withLockedValue { state -> [CommitTicket] in
            defer {
                state.members = []
                state.groupOpenedAt = nil
            }
            return state.members
        }
        for member in lost { member.complete(.failure(error)) }
    }

    private func commit(_ writer: SQLiteDirectConnection) async -> Result<Void, any Error> {
        do {
            try await NIOThreadPool.singleton.runIfActive { try writer.execute("COMMIT") }
            return .success(())
        } catch {
            _ = try? await NIOThreadPool.singleton.runIfActive { try writer.execute("ROLLBACK") }
            return .failure(error)
        }
    }

    private func acquire(_ kind: Kind) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let acquired = state.withLockedValue { state -> Bool in
                if !state.held {
                    state.held = true
                    return true
                }
                state.waiters.append((kind, continuation))
                return false
            }
            if acquired { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiters.isEmpty else {
                state.held = false
                return nil
            }
            return state.waiters.removeFirst().continuation
        }
        next?.resume()
    }
}

/// A group member's wait for its group's commit.
private final class CommitTicket: Sendable {
    private let state = NIOLockedValueBox<(result: Result<Void, any Error>?, waiter: CheckedContinuation<Void, any Error>?)>((nil, nil))

    func wait() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let ready = state.withLockedValue { state -> Result<Void, any Error>? in
                if let result = state.result { return result }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    func complete(_ result: Result<Void, any Error>) {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Void, any Error>? in
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: result)
    }
}
