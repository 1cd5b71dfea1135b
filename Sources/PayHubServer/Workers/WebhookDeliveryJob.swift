import Foundation
import Logging
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
    static func job(delivery deliveryID: String, at date: Date) -> NewJob {
        NewJob(
            kind: .webhookDelivery, payload: Payload(delivery: deliveryID), runAt: date, uniqueKey: "webhook:\(deliveryID)",
            maxAttempts: maximumAttempts * 2)
    }

    func run(_ job: ClaimedJob) async throws -> JobOutcome {
        let deliveryID = try job.decode(Payload.self).delivery
        guard let target = try await DeliveryTarget.load(deliveryID, on: db), target.deliveryStatus == "pending" else { return .done }
        let now = context.clock.now()
        guard target.endpointEnabled else {
            return .done { tx in try await DeliveryLog.close(deliveryID, status: "canceled", attempt: nil, now: now, on: tx) }
        }
        var secrets = [try context.secrets.open(target.secretSealed)]
        if let previous = target.previousSecretSealed, let expires = target.previousSecretExpiresAt, expires > now {
            secrets.append(try context.secrets.open(previous))
        }
        let body = StandardWebhookSigner.body(type: target.eventType, createdAt: target.eventCreatedAt, data: target.eventData)
        let headers = StandardWebhookSigner.headers(
            id: target.eventID, timestamp: Int(now.timeIntervalSince1970), body: body, secrets: secrets)

        var attempt = DeliveryLog.Attempt(
            id: "wha_" + context.ids.randomToken(length: 24), deliveryID: deliveryID, eventID: target.eventID,
            endpointID: target.endpointID, attemptedAt: now)
        let started = ContinuousClock.now
        var retryAfter: TimeInterval?
        do {
            let response = try await context.webhookTransport.post(
                url: target.url, headers: headers, body: body, timeout: context.config.webhookTimeout)
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
        context.metrics.webhookDeliveryDelay(seconds: context.clock.now().timeIntervalSince(target.eventCreatedAt), firstTry: target.attemptCount == 0)

        let finishedAt = context.clock.now()
        let logged = attempt
        if attempt.succeeded {
            context.metrics.webhookDelivery(outcome: "succeeded")
            return .done { tx in try await DeliveryLog.close(deliveryID, status: "succeeded", attempt: logged, now: finishedAt, on: tx) }
        }
        if attempt.statusCode == 410 {
            context.metrics.webhookDelivery(outcome: "gone")
            let endpointID = target.endpointID
            logger.warning("webhook endpoint disabled", metadata: ["endpoint": "\(endpointID)", "reason": "410 Gone"])
            return .done { tx in
                try await DeliveryLog.close(deliveryID, status: "failed", attempt: logged, now: finishedAt, on: tx)
                try await WebhookEndpointModel.disable(endpointID, reason: "The receiver answered 410 Gone.", now: finishedAt, on: tx)
            }
        }
        context.metrics.webhookDelivery(outcome: "failed")
        let tries = target.attemptCount + 1
        guard tries < Self.maximumAttempts else {
            return .done { tx in try await DeliveryLog.close(deliveryID, status: "failed", attempt: logged, now: finishedAt, on: tx) }
        }
        let scheduled = Self.retrySchedule[tries - 1] * Double.random(in: 0.9...1.1)
        let next = finishedAt.addingTimeInterval(min(max(scheduled, retryAfter ?? 0), 86400))
        return JobOutcome(next: .retry(at: next, reason: "receiver answered \(attempt.statusCode.map(String.init) ?? "nothing")")) { tx in
            try await DeliveryLog.reschedule(deliveryID, attempt: logged, next: next, now: finishedAt, on: tx)
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

/// A delivery with its event and endpoint, read in one query.
struct DeliveryTarget: Sendable {
    var deliveryStatus: String
    var attemptCount: Int
    var eventID: String
    var eventType: String
    var eventData: String
    var eventCreatedAt: Date
    var endpointID: String
    var url: String
    var endpointEnabled: Bool
    var secretSealed: String
    var previousSecretSealed: String?
    var previousSecretExpiresAt: Date?

    static func load(_ deliveryID: String, on db: any SQLDatabase) async throws -> DeliveryTarget? {
        guard let row = try await db.raw("""
            SELECT d.status, d.attempt_count, d.event_id, e.type, e.data, e.created_at, d.endpoint_id, w.url, \
            w.status AS endpoint_status, w.deleted_at, w.secret_sealed, w.previous_secret_sealed, w.previous_secret_expires_at \
            FROM webhook_deliveries d JOIN events e ON e.id = d.event_id JOIN webhook_endpoints w ON w.id = d.endpoint_id \
            WHERE d.id = \(bind: deliveryID)
            """).first()
        else { return nil }
        let deletedAt: Date? = try row.optional("deleted_at")
        return DeliveryTarget(
            deliveryStatus: try row.decode(column: "status", as: String.self),
            attemptCount: try row.decode(column: "attempt_count", as: Int.self),
            eventID: try row.decode(column: "event_id", as: String.self),
            eventType: try row.decode(column: "type", as: String.self),
            eventData: try row.decode(column: "data", as: String.self),
            eventCreatedAt: try row.decode(column: "created_at", as: Date.self),
            endpointID: try row.decode(column: "endpoint_id", as: String.self),
            url: try row.decode(column: "url", as: String.self),
            endpointEnabled: try row.decode(column: "endpoint_status", as: String.self) == "enabled" && deletedAt == nil,
            secretSealed: try row.decode(column: "secret_sealed", as: String.self),
            previousSecretSealed: try row.optional("previous_secret_sealed"),
            previousSecretExpiresAt: try row.optional("previous_secret_expires_at"))
    }
}

/// The delivery log's writes, made inside the transaction that finishes a delivery run.
enum DeliveryLog {
    struct Attempt: Sendable {
        var id: String
        var deliveryID: String
        var eventID: String
        var endpointID: String
        var attemptedAt: Date
        var statusCode: Int?
        var latencyMilliseconds = 0
        var responseExcerpt: String?
        var error: String?
        var succeeded = false
    }

    static func insert(_ attempt: Attempt, on tx: any SQLDatabase) async throws {
        try await tx.raw("""
            INSERT INTO webhook_delivery_attempts \
            (id, delivery_id, event_id, endpoint_id, attempted_at, status_code, latency_ms, response_excerpt, error, succeeded) \
            VALUES (\(bind: attempt.id), \(bind: attempt.deliveryID), \(bind: attempt.eventID), \(bind: attempt.endpointID), \
            \(bind: attempt.attemptedAt), \(bind: attempt.statusCode), \(bind: attempt.latencyMilliseconds), \
            \(bind: attempt.responseExcerpt), \(bind: attempt.error), \(bind: attempt.succeeded))
            """).run()
    }

    /// Ends a delivery: `succeeded`, `failed` (gave up) or `canceled`.
    static func close(_ deliveryID: String, status: String, attempt: Attempt?, now: Date, on tx: any SQLDatabase) async throws {
        if let attempt { try await insert(attempt, on: tx) }
        let added = attempt == nil ? 0 : 1
        let delivered: Date? = status == "succeeded" ? now : nil
        try await tx.raw("""
            UPDATE webhook_deliveries SET status = \(bind: status), attempt_count = attempt_count + \(bind: added), \
            last_status_code = COALESCE(\(bind: attempt?.statusCode), last_status_code), last_error = \(bind: attempt?.error), \
            delivered_at = \(bind: delivered), updated_at = \(bind: now) \
            WHERE id = \(bind: deliveryID)
            """).run()
    }

    static func reschedule(_ deliveryID: String, attempt: Attempt, next: Date, now: Date, on tx: any SQLDatabase) async throws {
        try await insert(attempt, on: tx)
        try await tx.raw("""
            UPDATE webhook_deliveries SET attempt_count = attempt_count + 1, next_attempt_at = \(bind: next), \
            last_status_code = \(bind: attempt.statusCode), last_error = \(bind: attempt.error), updated_at = \(bind: now) \
            WHERE id = \(bind: deliveryID)
            """).run()
    }
}
