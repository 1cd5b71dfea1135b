import Foundation
import SQLKit

/// What a job does; each kind has one `JobHandler`.
struct JobKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    let rawValue: String
    init(rawValue: String) { self.rawValue = rawValue }
    init(_ rawValue: String) { self.rawValue = rawValue }
    var description: String { rawValue }
}

/// Where a job stands. A job that is done is deleted; one that gave up stays, `failed`, until retried by hand.
public enum JobStatus: String, Codable, Sendable, CaseIterable {
    case pending
    case failed
}

/// A job to add to the scheduler.
struct NewJob: Sendable {
    var kind: JobKind
    /// JSON the handler reads.
    var payload: String
    var runAt: Date
    /// At most one job has this key (it is the job's id): enqueuing it again keeps (or re-arms) the existing one.
    var uniqueKey: String?
    var maxAttempts: Int

    init(kind: JobKind, payload: String, runAt: Date, uniqueKey: String? = nil, maxAttempts: Int = JobScheduler.defaultMaxAttempts) {
        self.kind = kind
        self.payload = payload
        self.runAt = runAt
        self.uniqueKey = uniqueKey
        self.maxAttempts = maxAttempts
    }

    /// The job's id: made of its unique key, so at most one such job exists; a new random one otherwise.
    func id(random: () -> String) -> String {
        uniqueKey.map(Self.id(uniqueKey:)) ?? "job_" + random()
    }

    /// The id of the job with this unique key.
    static func id(uniqueKey: String) -> String {
        "job_" + uniqueKey.replacingOccurrences(of: ":", with: "_")
    }

    init<Payload: Encodable>(
        kind: JobKind, payload: Payload, runAt: Date, uniqueKey: String? = nil, maxAttempts: Int = JobScheduler.defaultMaxAttempts
    ) {
        self.init(kind: kind, payload: JSONText.encode(payload), runAt: runAt, uniqueKey: uniqueKey, maxAttempts: maxAttempts)
    }
}

/// A job this process holds the lease of. Finishing it is refused once the lease token no longer matches.
struct ClaimedJob: Sendable {
    var id: String
    var kind: JobKind
    var payload: String
    /// How many times it has been claimed, this claim included.
    var attempts: Int
    var maxAttempts: Int
    var leaseToken: String

    func decode<Payload: Decodable>(_ type: Payload.Type) throws -> Payload {
        guard let value = JSONText.decode(type, from: payload) else { throw JobPayloadInvalid(kind: kind, id: id) }
        return value
    }
}

struct JobPayloadInvalid: Error, CustomStringConvertible {
    var kind: JobKind
    var id: String
    var description: String { "job \(id) of kind \(kind) has a payload its handler cannot read" }
}

/// The lease of a job ran out and another claim took it: this process's result is discarded.
struct JobLeaseLost: Error, CustomStringConvertible {
    var id: String
    var description: String { "the lease of job \(id) was lost" }
}

/// What became of a run.
struct JobOutcome: Sendable {
    enum Next: Sendable, Equatable {
        /// Done: the job is removed.
        case done
        /// Run again at this moment (a receiver that failed, a provider that has not answered yet).
        case retry(at: Date, reason: String)
        /// A recurring job: run again then, with its attempts reset.
        case reschedule(at: Date)
        /// Stop for good; the job stays visible as failed.
        case giveUp(reason: String)
    }

    var next: Next
    /// Written in the same transaction that finishes the job, and only if the lease is still held.
    var writes: (@Sendable (any SQLDatabase) async throws -> Void)?

    static let done = JobOutcome(next: .done)
    static func done(writing writes: @escaping @Sendable (any SQLDatabase) async throws -> Void) -> JobOutcome {
        JobOutcome(next: .done, writes: writes)
    }
    static func retry(at date: Date, reason: String) -> JobOutcome { JobOutcome(next: .retry(at: date, reason: reason)) }
    static func reschedule(at date: Date) -> JobOutcome { JobOutcome(next: .reschedule(at: date)) }
}

/// Runs the jobs of one kind. Handlers are idempotent: a job whose process died mid-run runs again.
protocol JobHandler: Sendable {
    var kind: JobKind { get }
    /// How long a claim lasts; a run that takes longer may be taken over by another process.
    var lease: TimeInterval { get }
    /// A recurring job never gives up: when a run fails it is simply run again later.
    var isRecurring: Bool { get }
    func run(_ job: ClaimedJob) async throws -> JobOutcome
}

extension JobHandler {
    var isRecurring: Bool { false }
}

/// A job as `payhub jobs` shows it.
public struct JobSummary: Codable, Sendable {
    public var id: String
    public var kind: String
    public var status: JobStatus
    public var runAt: Date
    public var attempts: Int
    public var maxAttempts: Int
    /// A process holds it right now.
    public var leased: Bool
    public var lastError: String?

    enum CodingKeys: String, CodingKey {
        case id, kind, status, attempts, leased
        case runAt = "run_at"
        case maxAttempts = "max_attempts"
        case lastError = "last_error"
    }
}
