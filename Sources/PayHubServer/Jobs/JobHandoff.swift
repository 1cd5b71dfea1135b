import Foundation
import NIOConcurrencyHelpers

/// Jobs this process enqueues already leased to itself, handed to its own lane in memory once their transaction
/// has committed: the lane runs them without claiming them from the table, which saves the claim's write and its
/// query on every job. Only kinds whose lane runs in this process are handed off. A job that waited here too long
/// is left to the table, where any process claims it once its lease has run out; so is every job of a process that
/// dies before running them.
final class JobHandoff: Sendable {
    private struct Queued {
        var job: ClaimedJob
        var handedAt: Date
    }

    private struct State {
        /// The lease of each kind a running lane takes by hand-off.
        var leases: [JobKind: TimeInterval] = [:]
        var queued: [JobKind: [Queued]] = [:]
        /// Kinds with jobs in the table that were not handed off, due now: their lane should claim.
        var tableWork: Set<JobKind> = []
    }

    private let state = NIOLockedValueBox(State())

    /// How long a job of this kind is leased when handed off; nil when no lane here takes it.
    func lease(for kind: JobKind) -> TimeInterval? {
        state.withLockedValue { $0.leases[kind] }
    }

    /// A lane starts taking these kinds.
    func open(_ leases: [JobKind: TimeInterval]) {
        state.withLockedValue { $0.leases.merge(leases) { _, new in new } }
    }

    /// A lane stops: it takes no more of these kinds, and returns what was still queued for them.
    func close(_ kinds: [JobKind]) -> [ClaimedJob] {
        state.withLockedValue { state in
            kinds.flatMap { kind in
                state.leases[kind] = nil
                return (state.queued.removeValue(forKey: kind) ?? []).map(\.job)
            }
        }
    }

    func hand(_ job: ClaimedJob, at now: Date) {
        state.withLockedValue { state in
            guard state.leases[job.kind] != nil else { return }
            state.queued[job.kind, default: []].append(Queued(job: job, handedAt: now))
        }
    }

    /// Up to `limit` queued jobs of these kinds, oldest first. A job that waited a quarter of its lease is dropped:
    /// started that late, its run could outlast the lease and race a claim from the table.
    func take(_ kinds: [JobKind], limit: Int, now: Date) -> [ClaimedJob] {
        guard limit > 0 else { return [] }
        return state.withLockedValue { state in
            var taken: [ClaimedJob] = []
            for kind in kinds {
                // Taken out of the dictionary while it changes, so the queue is not copied.
                guard var queue = state.queued.removeValue(forKey: kind) else { continue }
                defer { if !queue.isEmpty { state.queued[kind] = queue } }
                let freshAfter = now.addingTimeInterval(-(state.leases[kind] ?? 0) / 4)
                queue.removeAll { $0.handedAt < freshAfter }
                let count = min(limit - taken.count, queue.count)
                taken += queue.prefix(count).map(\.job)
                queue.removeFirst(count)
                if taken.count == limit { break }
            }
            return taken
        }
    }

    /// A job of this kind is due in the table (not handed off).
    func noteTableWork(_ kind: JobKind) {
        _ = state.withLockedValue { $0.tableWork.insert(kind) }
    }

    /// Whether the table has work for these kinds that no claim has looked at yet; clears the note.
    func takeTableWork(_ kinds: [JobKind]) -> Bool {
        state.withLockedValue { state in
            let found = kinds.contains { state.tableWork.contains($0) }
            for kind in kinds { state.tableWork.remove(kind) }
            return found
        }
    }
}
