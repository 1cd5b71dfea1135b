import ArgumentParser
import Foundation
import PayHubServer

/// `payhub jobs`: the scheduler's pending and failed jobs, and retrying a failed one.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "List the job scheduler's pending and failed jobs, or retry a failed one.",
        subcommands: [List.self, Retry.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List jobs (failed first, then by when they run).")
        @OptionGroup var options: CommonOptions
        @ArgumentParser.Option(help: "pending, failed or all.") var status: String = "all"
        @ArgumentParser.Option(help: "At most this many.") var limit: Int = 100
        @ArgumentParser.Flag(help: "Print JSON instead of a table.") var json = false

        func validate() throws {
            guard ["pending", "failed", "all"].contains(status) else { throw ValidationError("--status must be pending, failed or all") }
            guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 10000") }
        }

        func run() async throws {
            let config = try options.config()
            LoggingBootstrap.run(level: .warning)
            try await withApp(config) { app in
                let statuses = JobStatus(rawValue: status).map { [$0] } ?? [.failed, .pending]
                let jobs = try await JobsAdministration.list(app: app, statuses: statuses, limit: limit)
                if json {
                    print(try JSON.pretty(jobs))
                } else if jobs.isEmpty {
                    print("No \(status == "all" ? "pending or failed" : status) jobs.")
                } else {
                    print(JobsTable.render(jobs))
                }
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run a failed job again, with fresh attempts.")
        @OptionGroup var options: CommonOptions
        @ArgumentParser.Argument(help: "The job id (job_...).") var id: String

        func run() async throws {
            let config = try options.config()
            LoggingBootstrap.run(level: .warning)
            try await withApp(config) { app in
                guard try await JobsAdministration.retry(app: app, id: id) else {
                    throw CommandFailure(description: "There is no failed job \(id).")
                }
                print("Job \(id) will run again now.")
            }
        }
    }
}

/// A plain-text table of jobs.
enum JobsTable {
    static func render(_ jobs: [JobSummary]) -> String {
        let formatter = ISO8601DateFormatter()
        let rows = [["ID", "KIND", "STATUS", "RUN AT", "ATTEMPTS", "LAST ERROR"]] + jobs.map { job in
            [
                job.id, job.kind, job.leased ? "running" : job.status.rawValue, formatter.string(from: job.runAt),
                "\(job.attempts)/\(job.maxAttempts)", String((job.lastError ?? "").prefix(60)),
            ]
        }
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
