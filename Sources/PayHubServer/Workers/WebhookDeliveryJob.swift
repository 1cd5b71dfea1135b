import FluentKit
import Foundation
import Logging
import PayHubCore
import SQLKit

extension JobKind {
    static let webhookDelivery = JobKind("webhook.deliver")
}

/// Delivers one endpoint's webhooks, as a job of the scheduler: one job per endpoint that is owed something, so
/// one process at a time sends to a receiver. A run takes the endpoint's due deliveries in batches (oldest first),
/// sends a batch at once, and records its outcomes in one transaction that also renews the job's lease; it runs
/// until nothing is due (or for `runLimit`), then ends, leaving a job behind only if something is still owed.
/// A failed try is retried on the schedule below (about three days in all) from the delivery's own row.
///
/// An event's transaction adds the delivery and makes sure the job exists (`ensure`); on PostgreSQL it holds a
/// key-share lock on the job's row until it commits, so a run that ends (deleting the row) waits for it and then
/// sees its delivery.
struct WebhookDeliveryJob: JobHandler {
    /// Seconds to wait after the n-th failed try.
    static let retrySchedule: [TimeInterval] = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]
    static var maximumAttempts: Int { retrySchedule.count + 1 }
    /// How long one run sends before it hands the endpoint back (so a stopping process lets go in time).
    static let runLimit: Duration = .seconds(5)
    /// How long a run waits for more before it ends: under load deliveries arrive every few milliseconds, and a
    /// job that ended (deleting its row, which waits for the transactions still adding to it) would slow them.
    static let idleGrace: Duration = .milliseconds(200)

    struct Payload: Codable, Sendable {
        var endpoint: String
    }

    let context: PayHubContext
    let db: any Database
    let logger: Logger

    private var reader: any SQLDatabase { context.transactor.reader(db) }

    var kind: JobKind { .webhookDelivery }
    /// A run's batch lasts at most the receiver's timeout; every batch renews the lease.
    var lease: TimeInterval { context.config.webhookTimeout + 30 }
    /// An endpoint's job never gives up: its deliveries count their own tries.
    var isRecurring: Bool { true }

    /// The job that delivers what `endpointID` is owed: one per endpoint.
    static func job(endpoint endpointID: WebhookEndpointID, at date: Date) -> NewJob {
        NewJob(
            kind: .webhookDelivery, payload: Payload(endpoint: endpointID.rawValue), runAt: date,
            uniqueKey: uniqueKey(endpointID), maxAttempts: maximumAttempts * 2)
    }

    private static func uniqueKey(_ endpointID: WebhookEndpointID) -> String { "webhook-endpoint:\(endpointID.rawValue)" }

    /// Inside the transaction that makes a delivery due: the endpoint's job exists and will see it. (Every event's
    /// transaction asks, and the job is usually there: it is only built when it must be added.)
    static func ensure(endpoint endpointID: WebhookEndpointID, context: PayHubContext, on tx: any SQLDatabase) async throws {
        let shareLock = context.transactor.isPostgres
        // SQLite: a run of the job here will see this delivery before it ends (see `DeliveryRuns`).
        if !shareLock && context.deliveryRuns.isRunning(endpointID) { return }
        let id = NewJob.id(uniqueKey: uniqueKey(endpointID))
        for _ in 0..<3 {
            switch try await JobStore.state(of: id, lockingKey: shareLock, on: tx) {
            case .pending: return
            case .failed:
                try await JobScheduler.enqueue(job(endpoint: endpointID, at: context.clock.now()), ifExists: .rearm, context: context, on: tx)
                return
            case nil:
                try await JobScheduler.enqueue(job(endpoint: endpointID, at: context.clock.now()), context: context, on: tx)
                // Added here, or by a transaction that just committed: either way the row is there to lock now.
                if !shareLock { return }
            }
        }
    }

    func run(_ job: ClaimedJob) async throws -> JobOutcome {
        let endpointID = try WebhookEndpointID(parsing: job.decode(Payload.self).endpoint)
        // Until this returns, the job's row stays; it is deleted only by the transaction that ends the run, which
        // looks for owed deliveries again (see `.done` below).
        context.deliveryRuns.begin(endpointID)
        defer { context.deliveryRuns.end(endpointID) }
        let events = EventRepository()
        let started = ContinuousClock.now
        var idleSince: ContinuousClock.Instant?
        while true {
            guard ContinuousClock.now - started < Self.runLimit else { return handBack() }
            let now = context.clock.now()
            let due = try await events.dueDeliveries(to: endpointID, for: .deliveryWorker, at: now, limit: context.config.webhookConcurrency, on: reader)
            guard !due.isEmpty else {
                let idle = idleSince ?? ContinuousClock.now
                idleSince = idle
                if ContinuousClock.now - idle >= Self.idleGrace { break }
                try await Task.sleep(for: .milliseconds(10))
                continue
            }
            idleSince = nil
            guard let endpoint = try await WebhookEndpointRepository().deliveryTarget(
                endpointID, for: .deliveryWorker, opening: context.secrets, at: now, on: reader), endpoint.isReceiving
            else {
                // Disabled or deleted: what it was still owed is canceled.
                let scope = due[0].scope
                try await finishBatch(job, writing: { tx in
                    try await events.cancelPendingDeliveries(to: endpointID, in: scope, at: now, on: tx)
                })
                continue
            }
            let outcomes = await withTaskGroup(of: DeliveryOutcome.self) { group in
                for delivery in due { group.addTask { await self.send(delivery, to: endpoint) } }
                return await group.reduce(into: [DeliveryOutcome]()) { $0.append($1) }
            }
            try await record(outcomes, of: job)
        }
        let context = self.context
        return .done { tx in
            // Deleting the job's row waited for every transaction still adding to it (their lock); what they
            // added, or what is due later, gets the job again.
            guard let next = try await events.nextTry(to: endpointID, for: .deliveryWorker, on: tx) else { return }
            try await JobScheduler.enqueue(
                Self.job(endpoint: endpointID, at: max(next, context.clock.now())), context: context, on: tx)
        }
    }

    /// Still busy after `runLimit`: the job stays (no row to delete, so no waiting on the event transactions) and
    /// is due at once; the lane is told once that has committed, and claims it again.
    private func handBack() -> JobOutcome {
        let context = self.context
        return JobOutcome(next: .reschedule(at: context.clock.now())) { _ in
            AfterCommit.run {
                context.jobHandoff.noteTableWork(.webhookDelivery)
                context.wakeUp(for: .webhookDelivery).signal()
            }
        }
    }

    /// Writes a batch's tries in one transaction that renews the lease (`EventRepository.record` writes them in
    /// two statements on PostgreSQL, whatever the batch's size); a receiver that answered 410 Gone stops receiving.
    private func record(_ outcomes: [DeliveryOutcome], of job: ClaimedJob) async throws {
        try await finishBatch(job, writing: { tx in
            try await EventRepository().record(outcomes.map(\.tried), on: tx)
            for outcome in outcomes where outcome.endpointGone {
                let delivery = outcome.tried.delivery
                try await WebhookEndpointShutdown.disable(
                    delivery.endpointID, reason: "The receiver answered 410 Gone.", in: delivery.scope, now: outcome.tried.at, on: tx)
            }
        })
    }

    /// Writes a batch's outcomes with the lease renewed, or nothing if another process took the job over.
    private func finishBatch(_ job: ClaimedJob, writing writes: @escaping @Sendable (any SQLDatabase) async throws -> Void) async throws {
        let now = context.clock.now()
        let leaseUntil = now.addingTimeInterval(lease)
        try await context.transactor.writeSQL(on: db) { tx in
            guard try await JobStore.renew(job, until: leaseUntil, now: now, on: tx) else { throw JobLeaseLost(id: job.id) }
            try await writes(tx)
        }
    }

    /// How one try ended, and what to write for it.
    private struct DeliveryOutcome: Sendable {
        var tried: EventRepository.RecordedTry
        /// The receiver answered 410 Gone: the endpoint stops receiving.
        var endpointGone = false
    }

    private func send(_ delivery: PendingDelivery, to endpoint: WebhookDeliveryTarget) async -> DeliveryOutcome {
        let now = context.clock.now()
        let event = delivery.event
        let body = StandardWebhookSigner.body(type: event.type.rawValue, createdAt: event.createdAt, data: event.data)
        let headers = StandardWebhookSigner.headers(
            id: event.id.rawValue, timestamp: Int(now.timeIntervalSince1970), body: body, secrets: endpoint.signingSecrets)

        var attempt = WebhookDeliveryAttempt(id: "wha_" + context.ids.randomToken(length: 24), attemptedAt: now)
        let started = ContinuousClock.now
        var retryAfter: TimeInterval?
        do {
            let response = try await context.webhookTransport.post(
                url: endpoint.url, headers: headers, body: body, timeout: context.config.webhookTimeout)
            attempt.statusCode = response.status
            attempt.responseExcerpt = String(response.bodyExcerpt.prefix(200))
            attempt.succeeded = (200..<300).contains(response.status)
            if [429, 502, 503, 504].contains(response.status),
               let value = response.headers.first(where: { $0.0.lowercased() == "retry-after" })?.1 {
                retryAfter = Self.parseRetryAfter(value, now: now)
            }
        } catch {
            attempt.succeeded = false
            attempt.error = String(String(describing: error).prefix(200))
        }
        attempt.latencyMilliseconds = Int((ContinuousClock.now - started) / .milliseconds(1))
        context.metrics.webhookDeliveryDelay(seconds: context.clock.now().timeIntervalSince(event.createdAt), firstTry: delivery.attemptCount == 0)

        let finishedAt = context.clock.now()
        let logged = attempt
        func ends(_ status: WebhookDeliveryStatus, nextTry: Date? = nil, endpointGone: Bool = false) -> DeliveryOutcome {
            DeliveryOutcome(
                tried: .init(attempt: logged, delivery: delivery, status: status, nextTry: nextTry, at: finishedAt), endpointGone: endpointGone)
        }
        if attempt.succeeded {
            context.metrics.webhookDelivery(outcome: "succeeded")
            return ends(.succeeded)
        }
        if attempt.statusCode == 410 {
            context.metrics.webhookDelivery(outcome: "gone")
            logger.warning("webhook endpoint disabled", metadata: ["endpoint": "\(delivery.endpointID)", "reason": "410 Gone"])
            return ends(.failed, endpointGone: true)
        }
        context.metrics.webhookDelivery(outcome: "failed")
        let tries = delivery.attemptCount + 1
        guard tries < Self.maximumAttempts else { return ends(.failed) }
        let scheduled = Self.retrySchedule[tries - 1] * Double.random(in: 0.9...1.1)
        return ends(.pending, nextTry: finishedAt.addingTimeInterval(min(max(scheduled, retryAfter ?? 0), 86400)))
    }

    /// `Retry-After` as seconds or an HTTP date.
    static func parseRetryAfter(_ value: String, now: Date) -> TimeInterval? {
        if let seconds = TimeInterval(value.trimmingCharacters(in: .whitespaces)), seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
