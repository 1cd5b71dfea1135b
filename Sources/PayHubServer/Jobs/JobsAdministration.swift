import Fluent
import Foundation
import Vapor

/// What the `payhub jobs` command asks of the scheduler.
public enum JobsAdministration {
    /// Jobs in these statuses (`pending`, `failed`), failed first, then by when they run.
    public static func list(app: Application, statuses: [JobStatus], limit: Int) async throws -> [JobSummary] {
        try await JobStore.list(statuses: statuses, limit: limit, now: app.payhub.clock.now(), on: app.payhub.transactor.reader(app.db))
    }

    /// Makes a failed job run again now with fresh attempts; false when no failed job has this id.
    public static func retry(app: Application, id: String) async throws -> Bool {
        let now = app.payhub.clock.now()
        let retried = try await app.payhub.transactor.writeSQL(on: app.db) { tx in
            try await JobStore.retryFailed(id: id, now: now, on: tx)
        }
        return retried
    }
}
