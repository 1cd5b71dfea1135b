import Foundation
import Logging
import PayHubCore
import SQLKit

extension JobKind {
    static let webhookDelivery = JobKind("webhook.deliver")
}

/// Delivers one event to one endpoint, as a job of the scheduler: each try is one run, a failed try is retried
/// on the schedule below (about three days in all), and the delivery log is written in the transaction that
/// finishes the run, so a process that lost its lease never records a second outcome.
struct WebhookDeliveryJob: JobHandler {
    /// Seconds to wait after the n-th failed try.
    static let retrySchedule: [TimeInterval] = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]
    static var maximumAttempts: Int { retrySchedule.count + 1 }

    struct Payload: Codable, Sendable {
        var delivery: String
    }

    let context: PayHubContext
    let db: any SQLDatabase
    let logger: Logger

    var kind: JobKind { .webhookDelivery }
    var lease: TimeInterval { context.config.webhookTimeout + 30 }

    /// The job that delivers `deliveryID`: one per delivery, whatever asks for it.
    static func job(delivery deliveryID: WebhookDeliveryID, at date: Date) -> NewJob {
        NewJob(
            kind: .webhookDelivery, payload: Payload(delivery: deliveryID.rawValue), runAt: date,
            uniqueKey: "webhook:\(deliveryID.rawValue)", maxAttempts: maximumAttempts * 2)
    }

    func run(_ job: ClaimedJob) async throws -> JobOutcome {
        let deliveryID = try WebhookDeliveryID(parsing: job.decode(Payload.self).delivery)
        let now = context.clock.now()
        guard let delivery = try await EventRepository().pendingDelivery(deliveryID, for: .deliveryWorker, on: db),
              delivery.status == .pending,
              let endpoint = try await WebhookEndpointRepository().deliveryTarget(
                delivery.endpointID, for: .deliveryWorker, opening: context.secrets, at: now, on: db)
        else { return .done }
        guard endpoint.isReceiving else {
            return .done { tx in try await EventRepository().cancel(delivery, at: now, on: tx) }
        }
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
        func ends(_ status: WebhookDeliveryStatus) -> @Sendable (any SQLDatabase) async throws -> Void {
            { tx in try await EventRepository().record(logged, of: delivery, status: status, nextTry: nil, at: finishedAt, on: tx) }
        }
        if attempt.succeeded {
            context.metrics.webhookDelivery(outcome: "succeeded")
            return .done(writing: ends(.succeeded))
        }
        if attempt.statusCode == 410 {
            context.metrics.webhookDelivery(outcome: "gone")
            logger.warning("webhook endpoint disabled", metadata: ["endpoint": "\(delivery.endpointID)", "reason": "410 Gone"])
            let failed = ends(.failed)
            return .done { tx in
                try await failed(tx)
                try await WebhookEndpointShutdown.disable(
                    delivery.endpointID, reason: "The receiver answered 410 Gone.", in: delivery.scope, now: finishedAt, on: tx)
            }
        }
        context.metrics.webhookDelivery(outcome: "failed")
        let tries = delivery.attemptCount + 1
        guard tries < Self.maximumAttempts else { return .done(writing: ends(.failed)) }
        let scheduled = Self.retrySchedule[tries - 1] * Double.random(in: 0.9...1.1)
        let next = finishedAt.addingTimeInterval(min(max(scheduled, retryAfter ?? 0), 86400))
        return JobOutcome(next: .retry(at: next, reason: "receiver answered \(attempt.statusCode.map(String.init) ?? "nothing")")) { tx in
            try await EventRepository().record(logged, of: delivery, status: .pending, nextTry: next, at: finishedAt, on: tx)
        }
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
