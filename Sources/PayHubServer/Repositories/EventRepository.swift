import Foundation
import PayHubCore
import SQLKit

/// The outbox: events, their deliveries to webhook endpoints and the deliveries' tries. The only code that reads
/// or writes `events`, `webhook_deliveries` and `webhook_delivery_attempts`. Writes take the caller's transaction;
/// reads a transaction or a reader.
///
/// A delivery row keeps its latest try; the try before it moves to `webhook_delivery_attempts` when a newer one
/// is recorded, so a first try that succeeds costs one update of the row.
struct EventRepository: Sendable {
    private static let eventColumns = "id, merchant_id, livemode, type, object_id, data, created_at"
    private static let deliveryColumns = """
        id, event_id, endpoint_id, merchant_id, livemode, status, attempt_count, next_attempt_at, last_attempt_id, \
        last_attempted_at, last_status_code, last_latency_ms, last_response_excerpt, last_error, last_succeeded
        """

    // MARK: - Writes

    func insert(_ event: EventRecord, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO events (\(unsafeRaw: Self.eventColumns)) VALUES \
            (\(bind: event.id.rawValue), \(bind: event.scope.merchantID), \(bind: event.scope.livemode), \
            \(bind: event.type.rawValue), \(bind: event.objectID), \(bind: event.data), \(bind: event.createdAt))
            """).run()
    }

    /// A pending delivery of `eventID` to `endpointID`, due at once.
    func insertDelivery(_ id: WebhookDeliveryID, eventID: EventID, endpointID: WebhookEndpointID, in scope: TenantScope, at now: Date, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO webhook_deliveries \
            (id, event_id, endpoint_id, merchant_id, livemode, status, attempt_count, next_attempt_at, created_at, updated_at) \
            VALUES (\(bind: id.rawValue), \(bind: eventID.rawValue), \(bind: endpointID.rawValue), \(bind: scope.merchantID), \
            \(bind: scope.livemode), \(bind: WebhookDeliveryStatus.pending.rawValue), 0, \(bind: now), \(bind: now), \(bind: now))
            """).run()
    }

    /// The delivery of this event to this endpoint, if one was made.
    func deliveryID(event eventID: EventID, endpoint endpointID: WebhookEndpointID, in scope: TenantScope, on db: any SQLDatabase) async throws -> WebhookDeliveryID? {
        guard let row = try await db.raw("""
            SELECT id FROM webhook_deliveries WHERE event_id = \(bind: eventID.rawValue) AND endpoint_id = \(bind: endpointID.rawValue) \
            AND merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode)
            """).first()
        else { return nil }
        return try WebhookDeliveryID(parsing: row.decode(column: "id", as: String.self))
    }

    /// Makes a delivery pending again (a redelivery), due at once.
    func markPending(_ id: WebhookDeliveryID, in scope: TenantScope, at now: Date, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE webhook_deliveries SET status = \(bind: WebhookDeliveryStatus.pending.rawValue), next_attempt_at = \(bind: now), \
            updated_at = \(bind: now) WHERE id = \(bind: id.rawValue) AND merchant_id = \(bind: scope.merchantID) \
            AND livemode = \(bind: scope.livemode)
            """).run()
    }

    /// Records a try of `delivery` and where the delivery stands after it: `pending` with its next try, or final. The
    /// try the row kept before (if `delivery` had one) moves to the log first.
    func record(
        _ attempt: WebhookDeliveryAttempt, of delivery: PendingDelivery, status: WebhookDeliveryStatus, nextTry: Date?, at now: Date,
        on db: any SQLDatabase
    ) async throws {
        if delivery.attemptCount > 0 {
            try await db.raw("""
                INSERT INTO webhook_delivery_attempts \
                (id, delivery_id, event_id, endpoint_id, attempted_at, status_code, latency_ms, response_excerpt, error, succeeded) \
                SELECT last_attempt_id, id, event_id, endpoint_id, last_attempted_at, last_status_code, last_latency_ms, \
                last_response_excerpt, last_error, last_succeeded FROM webhook_deliveries \
                WHERE id = \(bind: delivery.id.rawValue) AND last_attempt_id IS NOT NULL
                """).run()
        }
        let delivered: Date? = status == .succeeded ? now : nil
        try await db.raw("""
            UPDATE webhook_deliveries SET status = \(bind: status.rawValue), attempt_count = attempt_count + 1, \
            next_attempt_at = COALESCE(\(bind: nextTry), next_attempt_at), last_attempt_id = \(bind: attempt.id), \
            last_attempted_at = \(bind: attempt.attemptedAt), last_status_code = \(bind: attempt.statusCode), \
            last_latency_ms = \(bind: attempt.latencyMilliseconds), last_response_excerpt = \(bind: attempt.responseExcerpt), \
            last_error = \(bind: attempt.error), last_succeeded = \(bind: attempt.succeeded), \
            delivered_at = COALESCE(\(bind: delivered), delivered_at), updated_at = \(bind: now) \
            WHERE id = \(bind: delivery.id.rawValue)
            """).run()
    }

    /// A try to record: what happened, and where its delivery stands after it.
    struct RecordedTry: Sendable {
        var attempt: WebhookDeliveryAttempt
        var delivery: PendingDelivery
        var status: WebhookDeliveryStatus
        var nextTry: Date?
        var at: Date
    }

    /// Records a batch of tries (of different deliveries). On PostgreSQL in two statements whatever the batch's
    /// size (the earlier tries of retried deliveries move to the log, then one update of every row), since every
    /// statement is a round trip; on SQLite, where a statement costs microseconds, one try after another.
    func record(_ tries: [RecordedTry], on db: any SQLDatabase) async throws {
        guard db.dialect.name == "postgresql", tries.count > 1 else {
            for tried in tries {
                try await record(tried.attempt, of: tried.delivery, status: tried.status, nextTry: tried.nextTry, at: tried.at, on: db)
            }
            return
        }
        let retried = tries.filter { $0.delivery.attemptCount > 0 }.map { SQLBind($0.delivery.id.rawValue) }
        if !retried.isEmpty {
            try await db.raw("""
                INSERT INTO webhook_delivery_attempts \
                (id, delivery_id, event_id, endpoint_id, attempted_at, status_code, latency_ms, response_excerpt, error, succeeded) \
                SELECT last_attempt_id, id, event_id, endpoint_id, last_attempted_at, last_status_code, last_latency_ms, \
                last_response_excerpt, last_error, last_succeeded FROM webhook_deliveries \
                WHERE id IN (\(SQLList(retried))) AND last_attempt_id IS NOT NULL
                """).run()
        }
        let rows: [SQLQueryString] = tries.map { tried in
            let attempt = tried.attempt
            let delivered: Date? = tried.status == .succeeded ? tried.at : nil
            return """
                (\(bind: tried.delivery.id.rawValue)::text, \(bind: tried.status.rawValue)::text, \(bind: tried.nextTry)::timestamptz, \
                \(bind: attempt.id)::text, \(bind: attempt.attemptedAt)::timestamptz, \(bind: attempt.statusCode)::bigint, \
                \(bind: attempt.latencyMilliseconds)::bigint, \(bind: attempt.responseExcerpt)::text, \(bind: attempt.error)::text, \
                \(bind: attempt.succeeded)::boolean, \(bind: delivered)::timestamptz, \(bind: tried.at)::timestamptz)
                """
        }
        try await db.raw("""
            UPDATE webhook_deliveries AS d SET status = v.status, attempt_count = d.attempt_count + 1, \
            next_attempt_at = COALESCE(v.next_try, d.next_attempt_at), last_attempt_id = v.attempt_id, \
            last_attempted_at = v.attempted_at, last_status_code = v.status_code, last_latency_ms = v.latency_ms, \
            last_response_excerpt = v.excerpt, last_error = v.error, last_succeeded = v.succeeded, \
            delivered_at = COALESCE(v.delivered_at, d.delivered_at), updated_at = v.updated_at \
            FROM (VALUES \(rows.joined(separator: ", "))) AS v(id, status, next_try, attempt_id, attempted_at, status_code, \
            latency_ms, excerpt, error, succeeded, delivered_at, updated_at) WHERE d.id = v.id
            """).run()
    }

    /// Cancels what an endpoint that stops receiving was still owed; its jobs then find nothing to do.
    func cancelPendingDeliveries(to endpointID: WebhookEndpointID, in scope: TenantScope, at now: Date, on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE webhook_deliveries SET status = \(bind: WebhookDeliveryStatus.canceled.rawValue), updated_at = \(bind: now) \
            WHERE endpoint_id = \(bind: endpointID.rawValue) AND status = \(unsafeRaw: Self.pending) \
            AND merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode)
            """).run()
    }

    // MARK: - Reads

    func event(_ id: EventID, in scope: TenantScope, on db: any SQLDatabase) async throws -> EventRecord? {
        guard let row = try await db.raw(ScopedSelect.byID(id.rawValue, from: "events", columns: Self.eventColumns, in: scope)).first()
        else { return nil }
        return try Self.event(row)
    }

    /// A page of events, newest first, optionally of these types only and about one object.
    func events(in scope: TenantScope, types: [EventType]?, objectID: String?, page: PageRequest, on db: any SQLDatabase) async throws -> (events: [EventRecord], hasMore: Bool) {
        var filters: [SQLQueryString] = []
        if let types { filters.append("type IN (\(SQLList(types.map { SQLBind($0.rawValue) })))") }
        if let objectID { filters.append("object_id = \(bind: objectID)") }
        let result = try await ScopedPage.rows(
            from: "events", columns: Self.eventColumns, in: scope, filters: filters, page: page, on: db)
        return (try result.rows.map(Self.event), result.hasMore)
    }

    /// The deliveries of an event, oldest first, with their tries.
    func deliveries(of eventID: EventID, in scope: TenantScope, on db: any SQLDatabase) async throws -> [WebhookDeliveryRecord] {
        let rows = try await db.raw("""
            SELECT \(unsafeRaw: Self.deliveryColumns) FROM webhook_deliveries WHERE event_id = \(bind: eventID.rawValue) \
            AND merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode) ORDER BY created_at, id
            """).all()
        let ids = try rows.map { try $0.decode(column: "id", as: String.self) }
        var earlier: [String: [WebhookDeliveryAttempt]] = [:]
        if !ids.isEmpty {
            for row in try await db.raw("""
                SELECT id, delivery_id, attempted_at, status_code, latency_ms, response_excerpt, error, succeeded \
                FROM webhook_delivery_attempts WHERE delivery_id IN (\(SQLList(ids.map { SQLBind($0) }))) ORDER BY attempted_at, id
                """).all() {
                earlier[try row.decode(column: "delivery_id", as: String.self), default: []].append(try Self.attempt(row))
            }
        }
        return try rows.map { row in
            var delivery = try Self.delivery(row)
            delivery.attempts = (earlier[delivery.id.rawValue] ?? []) + (try Self.latestAttempt(row).map { [$0] } ?? [])
            return delivery
        }
    }

    /// `pending` as an SQL literal: the queries of what endpoints are owed use the partial index
    /// `webhook_deliveries_owed` (`WHERE status = 'pending'`), which a planner can only match to a literal.
    static let pending = "'\(WebhookDeliveryStatus.pending.rawValue)'"

    /// What an endpoint is owed now, oldest first, with the events (the delivery job knows the endpoint only).
    func dueDeliveries(to endpointID: WebhookEndpointID, for _: SystemScope, at now: Date, limit: Int, on db: any SQLDatabase) async throws -> [PendingDelivery] {
        try await db.raw("""
            SELECT d.id, d.endpoint_id, d.merchant_id, d.livemode, d.status, d.attempt_count, d.event_id, e.type, e.object_id, \
            e.data, e.created_at FROM webhook_deliveries d JOIN events e ON e.id = d.event_id \
            WHERE d.endpoint_id = \(bind: endpointID.rawValue) AND d.status = \(unsafeRaw: Self.pending) \
            AND d.next_attempt_at <= \(bind: now) ORDER BY d.next_attempt_at LIMIT \(bind: limit)
            """).all().map(Self.pendingDelivery(row:))
    }

    /// When the endpoint's next owed try is due (now or later); nil when it is owed nothing.
    func nextTry(to endpointID: WebhookEndpointID, for _: SystemScope, on db: any SQLDatabase) async throws -> Date? {
        try await db.raw("""
            SELECT next_attempt_at FROM webhook_deliveries WHERE endpoint_id = \(bind: endpointID.rawValue) \
            AND status = \(unsafeRaw: Self.pending) ORDER BY next_attempt_at LIMIT 1
            """).first()?.decode(column: "next_attempt_at", as: Date.self)
    }

    /// How many deliveries are owed, across every tenant (for `/metrics`).
    func pendingDeliveryCount(for _: SystemScope, on db: any SQLDatabase) async throws -> Int {
        try await db.raw("""
            SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = \(unsafeRaw: Self.pending)
            """).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    private static func pendingDelivery(row: any SQLRow) throws -> PendingDelivery {
        let id = try WebhookDeliveryID(parsing: row.decode(column: "id", as: String.self))
        let scope = TenantScope(
            merchantID: try row.decode(column: "merchant_id", as: String.self), livemode: try row.decode(column: "livemode", as: Bool.self))
        return PendingDelivery(
            id: id,
            endpointID: try WebhookEndpointID(parsing: row.decode(column: "endpoint_id", as: String.self)),
            scope: scope,
            status: try Self.status(row, id: id.rawValue),
            attemptCount: try row.decode(column: "attempt_count", as: Int.self),
            event: EventRecord(
                id: try EventID(parsing: row.decode(column: "event_id", as: String.self)), scope: scope,
                type: try StoredValueInvalid.parse(
                    row.decode(column: "type", as: String.self), as: EventType.self, table: "events", column: "type", id: id.rawValue),
                objectID: try row.decode(column: "object_id", as: String.self),
                data: try row.decode(column: "data", as: String.self),
                createdAt: try row.decode(column: "created_at", as: Date.self)))
    }

    // MARK: - Rows

    private static func event(_ row: any SQLRow) throws -> EventRecord {
        let id = try row.decode(column: "id", as: String.self)
        return EventRecord(
            id: try EventID(parsing: id),
            scope: TenantScope(
                merchantID: try row.decode(column: "merchant_id", as: String.self),
                livemode: try row.decode(column: "livemode", as: Bool.self)),
            type: try StoredValueInvalid.parse(
                row.decode(column: "type", as: String.self), as: EventType.self, table: "events", column: "type", id: id),
            objectID: try row.decode(column: "object_id", as: String.self),
            data: try row.decode(column: "data", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Date.self))
    }

    private static func delivery(_ row: any SQLRow) throws -> WebhookDeliveryRecord {
        let id = try row.decode(column: "id", as: String.self)
        return WebhookDeliveryRecord(
            id: try WebhookDeliveryID(parsing: id),
            eventID: try EventID(parsing: row.decode(column: "event_id", as: String.self)),
            endpointID: try WebhookEndpointID(parsing: row.decode(column: "endpoint_id", as: String.self)),
            scope: TenantScope(
                merchantID: try row.decode(column: "merchant_id", as: String.self),
                livemode: try row.decode(column: "livemode", as: Bool.self)),
            status: try status(row, id: id),
            attemptCount: try row.decode(column: "attempt_count", as: Int.self),
            nextAttemptAt: try row.decode(column: "next_attempt_at", as: Date.self),
            attempts: [])
    }

    private static func status(_ row: any SQLRow, id: String) throws -> WebhookDeliveryStatus {
        try StoredValueInvalid.parse(
            row.decode(column: "status", as: String.self), as: WebhookDeliveryStatus.self,
            table: "webhook_deliveries", column: "status", id: id)
    }

    private static func attempt(_ row: any SQLRow) throws -> WebhookDeliveryAttempt {
        WebhookDeliveryAttempt(
            id: try row.decode(column: "id", as: String.self),
            attemptedAt: try row.decode(column: "attempted_at", as: Date.self),
            statusCode: try row.optional("status_code"),
            latencyMilliseconds: try row.decode(column: "latency_ms", as: Int.self),
            responseExcerpt: try row.optional("response_excerpt"),
            error: try row.optional("error"),
            succeeded: try row.decode(column: "succeeded", as: Bool.self))
    }

    /// The try a delivery row keeps, if it has one.
    private static func latestAttempt(_ row: any SQLRow) throws -> WebhookDeliveryAttempt? {
        guard let id: String = try row.optional("last_attempt_id") else { return nil }
        return WebhookDeliveryAttempt(
            id: id,
            attemptedAt: try row.decode(column: "last_attempted_at", as: Date.self),
            statusCode: try row.optional("last_status_code"),
            latencyMilliseconds: try row.optional("last_latency_ms") ?? 0,
            responseExcerpt: try row.optional("last_response_excerpt"),
            error: try row.optional("last_error"),
            succeeded: try row.optional("last_succeeded") ?? false)
    }
}
