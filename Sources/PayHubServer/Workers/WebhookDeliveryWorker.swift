import Fluent
import Foundation
import Logging
import NIOConcurrencyHelpers
import SQLKit

/// Delivers pending webhooks. Deliveries are claimed with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so
/// several PayHub processes share the work without sending one attempt twice, and a crashed process's claims
/// are picked up again once their lease expires. Each delivery runs on its own, so a slow receiver holds only
/// its own slot.
final class WebhookDeliveryWorker: Sendable {
    /// Seconds to wait after the n-th failed attempt (about three days in all).
    static let retrySchedule: [TimeInterval] = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]
    static var maximumAttempts: Int { retrySchedule.count + 1 }

    let context: PayHubContext
    let db: any Database
    let logger: Logger
    private let inFlight = NIOLockedValueBox<[String: Task<Void, Never>]>([:])

    init(context: PayHubContext, db: any Database, logger: Logger) {
        self.context = context
        self.db = db
        self.logger = logger
    }

    /// Runs until the task is cancelled, then waits for the deliveries in flight so none is left unrecorded.
    func run() async {
        let concurrency = context.config.webhookConcurrency
        while !Task.isCancelled {
            let free = concurrency - inFlight.withLockedValue { $0.count }
            var claimed: [String] = []
            if free > 0 {
                do {
                    claimed = try await claim(limit: free)
                } catch {
                    logger.error("claiming webhook deliveries failed", metadata: ["error": "\(error)"])
                }
            }
            for id in claimed {
                inFlight.withLockedValue { tasks in
                    tasks[id] = Task {
                        await self.deliverLogged(id)
                        _ = self.inFlight.withLockedValue { $0.removeValue(forKey: id) }
                        self.context.deliveryWakeUp.signal()
                    }
                }
            }
            if claimed.isEmpty || claimed.count == free {
                await context.deliveryWakeUp.wait(seconds: context.config.workerInterval)
            }
        }
        for task in inFlight.withLockedValue({ Array($0.values) }) { await task.value }
    }

    /// Claims and delivers everything due now, waiting for all of it: what tests and `redeliver` use.
    @discardableResult
    func runOnce(limit: Int = 100) async throws -> Int {
        let claimed = try await claim(limit: limit)
        await withTaskGroup(of: Void.self) { group in
            for id in claimed { group.addTask { await self.deliverLogged(id) } }
        }
        return claimed.count
    }

    func claim(limit: Int) async throws -> [String] {
        let now = context.clock.now()
        let leaseUntil = now.addingTimeInterval(context.config.webhookTimeout + 30)
        let owner = context.processID
        let isPostgres = context.transactor.isPostgres
        return try await context.transactor.write(on: db) { tx in
            guard let sql = tx as? any SQLDatabase else { return [] }
            let lock: SQLQueryString = isPostgres ? "FOR UPDATE SKIP LOCKED" : ""
            let rows = try await sql.raw("""
                UPDATE webhook_deliveries SET lease_owner = \(bind: owner), lease_expires_at = \(bind: leaseUntil)
                WHERE id IN (
                    SELECT id FROM webhook_deliveries
                    WHERE status = 'pending' AND next_attempt_at <= \(bind: now)
                      AND (lease_expires_at IS NULL OR lease_expires_at < \(bind: now))
                    ORDER BY next_attempt_at LIMIT \(bind: limit) \(lock)
                )
                RETURNING id
                """).all()
            return try rows.map { try $0.decode(column: "id", as: String.self) }
        }
    }

    private func deliverLogged(_ id: String) async {
        do {
            try await deliver(id)
        } catch {
            logger.error("webhook delivery failed to record", metadata: ["delivery": "\(id)", "error": "\(error)"])
        }
    }

    private func deliver(_ id: String) async throws {
        guard let delivery = try await WebhookDeliveryModel.find(id, on: db), delivery.leaseOwner == context.processID,
              let event = try await EventModel.find(delivery.eventID, on: db),
              let endpoint = try await WebhookEndpointModel.find(delivery.endpointID, on: db)
        else { return }
        guard endpoint.status == "enabled", endpoint.deletedAt == nil else {
            try await finish(delivery, status: "canceled", attempt: nil)
            return
        }
        let sentAt = context.clock.now()
        var secrets = [try context.secrets.open(endpoint.secretSealed)]
        if let previous = endpoint.previousSecretSealed, let expires = endpoint.previousSecretExpiresAt, expires > sentAt {
            secrets.append(try context.secrets.open(previous))
        }
        let body = StandardWebhookSigner.body(type: event.type, createdAt: event.createdAt, data: event.data)
        let headers = StandardWebhookSigner.headers(
            id: event.id ?? "", timestamp: Int(sentAt.timeIntervalSince1970), body: body, secrets: secrets)

        let attempt = WebhookDeliveryAttemptModel()
        attempt.id = "wha_" + context.ids.randomToken(length: 24)
        attempt.deliveryID = id
        attempt.eventID = delivery.eventID
        attempt.endpointID = delivery.endpointID
        attempt.attemptedAt = sentAt
        let started = ContinuousClock.now
        var retryAfter: TimeInterval?
        do {
            let response = try await context.webhookTransport.post(
                url: endpoint.url, headers: headers, body: body, timeout: context.config.webhookTimeout)
            attempt.statusCode = response.status
            attempt.responseExcerpt = String(response.bodyExcerpt.prefix(500))
            attempt.succeeded = (200..<300).contains(response.status)
            if [429, 502, 503, 504].contains(response.status),
               let value = response.headers.first(where: { $0.0.lowercased() == "retry-after" })?.1 {
                retryAfter = Self.parseRetryAfter(value, now: sentAt)
            }
        } catch {
            attempt.succeeded = false
            attempt.error = String(describing: error).prefix(300).description
        }
        let elapsed = ContinuousClock.now - started
        attempt.latencyMilliseconds = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)

        if attempt.succeeded {
            context.metrics.webhookDelivery(outcome: "succeeded")
            try await finish(delivery, status: "succeeded", attempt: attempt)
        } else if attempt.statusCode == 410 {
            context.metrics.webhookDelivery(outcome: "gone")
            try await disableEndpoint(endpoint, because: "The receiver answered 410 Gone.", delivery: delivery, attempt: attempt)
        } else {
            context.metrics.webhookDelivery(outcome: "failed")
            try await reschedule(delivery, attempt: attempt, retryAfter: retryAfter)
        }
    }

    private func finish(_ delivery: WebhookDeliveryModel, status: String, attempt: WebhookDeliveryAttemptModel?) async throws {
        let now = context.clock.now()
        try await context.transactor.write(on: db) { tx in
            if let attempt { try await attempt.create(on: tx) }
            delivery.status = status
            delivery.attemptCount += attempt == nil ? 0 : 1
            delivery.lastStatusCode = attempt?.statusCode ?? delivery.lastStatusCode
            delivery.lastError = attempt?.error
            if status == "succeeded" { delivery.deliveredAt = now }
            delivery.leaseOwner = nil
            delivery.leaseExpiresAt = nil
            delivery.updatedAt = now
            try await self.saveIfStillLeased(delivery, on: tx)
        }
    }

    /// Writes the delivery only while this process still holds its lease: a process that lost its lease (it
    /// stalled past the lease time) never overwrites the work of the one that took over.
    private func saveIfStillLeased(_ delivery: WebhookDeliveryModel, on tx: any Database) async throws {
        try await WebhookDeliveryModel.query(on: tx)
            .filter(\.$id == delivery.id ?? "").filter(\.$leaseOwner == context.processID)
            .set(\.$status, to: delivery.status)
            .set(\.$attemptCount, to: delivery.attemptCount)
            .set(\.$nextAttemptAt, to: delivery.nextAttemptAt)
            .set(\.$lastStatusCode, to: delivery.lastStatusCode)
            .set(\.$lastError, to: delivery.lastError)
            .set(\.$deliveredAt, to: delivery.deliveredAt)
            .set(\.$leaseOwner, to: nil)
            .set(\.$leaseExpiresAt, to: nil)
            .set(\.$updatedAt, to: delivery.updatedAt)
            .update()
    }

    private func reschedule(_ delivery: WebhookDeliveryModel, attempt: WebhookDeliveryAttemptModel, retryAfter: TimeInterval?) async throws {
        let now = context.clock.now()
        let attempts = delivery.attemptCount + 1
        guard attempts < Self.maximumAttempts else {
            try await finish(delivery, status: "failed", attempt: attempt)
            return
        }
        let scheduled = Self.retrySchedule[attempts - 1] * Double.random(in: 0.9...1.1)
        let delay = min(max(scheduled, retryAfter ?? 0), 86400)
        try await context.transactor.write(on: db) { tx in
            try await attempt.create(on: tx)
            delivery.attemptCount = attempts
            delivery.lastStatusCode = attempt.statusCode
            delivery.lastError = attempt.error
            delivery.nextAttemptAt = now.addingTimeInterval(delay)
            delivery.leaseOwner = nil
            delivery.leaseExpiresAt = nil
            delivery.updatedAt = now
            try await self.saveIfStillLeased(delivery, on: tx)
        }
    }

    private func disableEndpoint(
        _ endpoint: WebhookEndpointModel, because reason: String, delivery: WebhookDeliveryModel, attempt: WebhookDeliveryAttemptModel
    ) async throws {
        try await finish(delivery, status: "failed", attempt: attempt)
        let now = context.clock.now()
        try await context.transactor.write(on: db) { tx in
            endpoint.status = "disabled"
            endpoint.disabledReason = reason
            endpoint.updatedAt = now
            try await endpoint.save(on: tx)
            try await WebhookDeliveryModel.query(on: tx)
                .filter(\.$endpointID == endpoint.id ?? "").filter(\.$status == "pending")
                .set(\.$status, to: "canceled").set(\.$updatedAt, to: now).update()
        }
        logger.warning("webhook endpoint disabled", metadata: ["endpoint": "\(endpoint.id ?? "")", "reason": "\(reason)"])
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
