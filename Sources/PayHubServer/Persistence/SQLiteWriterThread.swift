import Foundation
import NIOConcurrencyHelpers

/// A thread of its own for the SQLite writer, usable as a task executor. The write queue's drainer runs here, so
/// transaction bodies and commits (with their fsync) never block an event loop, and the writer never waits in an
/// event loop's queue behind request handling.
final class SQLiteWriterThread: TaskExecutor, @unchecked Sendable {
    private let pending = ConditionLock(value: 0)
    private var jobs: [UnownedJob] = []
    private var stopping = false
    private let stopped = ConditionLock(value: 0)

    init(name: String = "payhub-sqlite-writer") {
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        pending.lock()
        jobs.append(job)
        pending.unlock(withValue: 1)
    }

    /// Lets the thread finish the jobs it has, then end.
    func stop() {
        pending.lock()
        stopping = true
        pending.unlock(withValue: 1)
        stopped.lock(whenValue: 1)
        stopped.unlock()
    }

    private func run() {
        while true {
            pending.lock(whenValue: 1)
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            let finished = stopping && batch.isEmpty
            // While stopping, keep going until a pass finds nothing left to run.
            pending.unlock(withValue: stopping ? 1 : 0)
            if finished { break }
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
        }
        stopped.lock()
        stopped.unlock(withValue: 1)
    }
}
