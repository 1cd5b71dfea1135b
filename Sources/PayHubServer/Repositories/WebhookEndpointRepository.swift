import Foundation
import PayHubCore
import SQLKit

/// Webhook endpoints: the only code that reads or writes `webhook_endpoints`. Every tenant-facing method takes the
/// tenant scope; deleted endpoints are found only by the delivery worker. Each method is one statement with fixed
/// text (a page's conditions aside), so PostgreSQL can prepare it.
struct WebhookEndpointRepository: Sendable {
    private static let table = "webhook_endpoints"
    private static let columns = """
        id, merchant_id, livemode, url, description, enabled_events, secret_sealed, previous_secret_sealed, \
        previous_secret_expires_at, status, disabled_reason, created_at, updated_at, deleted_at
        """

    func insert(_ endpoint: WebhookEndpointRecord, on tx: any SQLDatabase) async throws {
        let values: [any Encodable & Sendable] = [
            endpoint.id.rawValue, endpoint.scope.merchantID, endpoint.scope.livemode, endpoint.url, endpoint.description,
            JSONText.encode(endpoint.enabledEvents), endpoint.secrets.current, endpoint.secrets.previous,
            endpoint.secrets.previousExpiresAt, endpoint.status.rawValue, endpoint.disabledReason, endpoint.createdAt,
            endpoint.updatedAt, endpoint.deletedAt,
        ]
        try await tx.raw("INSERT INTO webhook_endpoints (\(unsafeRaw: Self.columns)) VALUES (\(binds: values))").run()
    }

    /// The endpoint, unless it is deleted or not the scope's.
    func find(_ id: WebhookEndpointID, in scope: TenantScope, on db: any SQLDatabase) async throws -> WebhookEndpointRecord? {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.columns) FROM webhook_endpoints WHERE id = \(bind: id.rawValue) \
            AND merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode) AND deleted_at IS NULL
            """).first().map(Self.record(row:))
    }

    /// One page of the scope's endpoints, newest first, deleted ones left out.
    func page(in scope: TenantScope, _ page: PageRequest, on db: any SQLDatabase) async throws -> (endpoints: [WebhookEndpointRecord], hasMore: Bool) {
        let result = try await ScopedPage.rows(
            from: Self.table, columns: Self.columns, in: scope, filters: ["deleted_at IS NULL"], page: page, on: db)
        return (try result.rows.map(Self.record(row:)), result.hasMore)
    }

    /// How many endpoints the scope's merchant has, in both modes, deleted ones left out: the limit is per merchant.
    func countOfMerchant(in scope: TenantScope, on db: any SQLDatabase) async throws -> Int {
        let row = try await db.raw("""
            SELECT COUNT(*) AS count FROM webhook_endpoints WHERE merchant_id = \(bind: scope.merchantID) AND deleted_at IS NULL
            """).first()
        return try row?.decode(column: "count", as: Int.self) ?? 0
    }

    /// The scope's enabled endpoints with their filters: where recording an event fans out. With `only`, that one.
    func subscriptions(in scope: TenantScope, only id: WebhookEndpointID? = nil, on db: any SQLDatabase) async throws -> [WebhookSubscription] {
        let one: SQLQueryString = id.map { "AND id = \(bind: $0.rawValue)" } ?? ""
        return try await db.raw("""
            SELECT id, enabled_events FROM webhook_endpoints WHERE merchant_id = \(bind: scope.merchantID) \
            AND livemode = \(bind: scope.livemode) AND status = \(bind: WebhookEndpointStatus.enabled.rawValue) \
            AND deleted_at IS NULL \(one) ORDER BY created_at, id
            """).all().map { row in
                let id = try row.decode(column: "id", as: String.self)
                return WebhookSubscription(
                    endpointID: try WebhookEndpointID(parsing: id), scope: scope,
                    enabledEvents: try Self.filters(try row.decode(column: "enabled_events", as: String.self), id: id))
            }
    }

    /// The scope's enabled endpoints that receive events of this type (or `only` that one, if it does).
    func subscribed(to type: EventType, in scope: TenantScope, only id: WebhookEndpointID? = nil, on db: any SQLDatabase) async throws -> [WebhookSubscription] {
        try await subscriptions(in: scope, only: id, on: db).filter { $0.receives(type) }
    }

    /// Where the delivery worker sends to this endpoint, whoever's it is, deleted or not; its secrets opened for `now`.
    func deliveryTarget(
        _ id: WebhookEndpointID, for _: SystemScope, opening box: SecretBox, at now: Date, on db: any SQLDatabase
    ) async throws -> WebhookDeliveryTarget? {
        guard let endpoint = try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM webhook_endpoints WHERE id = \(bind: id.rawValue)")
            .first().map(Self.record(row:))
        else { return nil }
        return WebhookDeliveryTarget(
            endpointID: endpoint.id, scope: endpoint.scope, url: endpoint.url, isReceiving: endpoint.isReceiving,
            signingSecrets: try endpoint.secrets.opened(with: box, at: now))
    }

    /// Whose endpoint this is, deleted or not: for the delivery worker, which knows an endpoint by id only.
    func scope(of id: WebhookEndpointID, for _: SystemScope, on db: any SQLDatabase) async throws -> TenantScope? {
        try await db.raw("SELECT merchant_id, livemode FROM webhook_endpoints WHERE id = \(bind: id.rawValue)").first().map { row in
            try TenantScope(row: row)
        }
    }

    /// Makes `sealed` the signing secret; the one it replaces keeps signing until `previousExpiresAt`. One statement
    /// reads the secret it demotes and writes the new one, so concurrent rotations cannot lose a secret.
    func rotateSecret(
        _ id: WebhookEndpointID, in scope: TenantScope, to sealed: String, previousExpiresAt: Date, now: Date, on tx: any SQLDatabase
    ) async throws -> WebhookEndpointRecord? {
        try await tx.raw("""
            UPDATE webhook_endpoints SET previous_secret_sealed = secret_sealed, \
            previous_secret_expires_at = \(bind: previousExpiresAt), secret_sealed = \(bind: sealed), updated_at = \(bind: now) \
            WHERE id = \(bind: id.rawValue) AND merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode) \
            AND deleted_at IS NULL RETURNING \(unsafeRaw: Self.columns)
            """).first().map(Self.record(row:))
    }

    /// Disables the endpoint (and deletes it, when `deleted`). See `WebhookEndpointShutdown`, which also cancels
    /// what it was still owed.
    func disable(
        _ id: WebhookEndpointID, reason: String, deleted: Bool, in scope: TenantScope, now: Date, on tx: any SQLDatabase
    ) async throws {
        let deletedAt: Date? = deleted ? now : nil
        try await tx.raw("""
            UPDATE webhook_endpoints SET status = \(bind: WebhookEndpointStatus.disabled.rawValue), \
            disabled_reason = \(bind: reason), deleted_at = COALESCE(\(bind: deletedAt), deleted_at), updated_at = \(bind: now) \
            WHERE id = \(bind: id.rawValue) AND merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode)
            """).run()
    }

    private static func record(row: any SQLRow) throws -> WebhookEndpointRecord {
        let id = try row.decode(column: "id", as: String.self)
        return WebhookEndpointRecord(
            id: try WebhookEndpointID(parsing: id),
            scope: try TenantScope(row: row),
            url: try row.decode(column: "url", as: String.self),
            description: try row.optional("description"),
            enabledEvents: try filters(try row.decode(column: "enabled_events", as: String.self), id: id),
            status: try StoredValueInvalid.parse(
                try row.decode(column: "status", as: String.self), as: WebhookEndpointStatus.self, table: table, column: "status", id: id),
            disabledReason: try row.optional("disabled_reason"),
            secrets: SealedSigningSecrets(
                current: try row.decode(column: "secret_sealed", as: String.self),
                previous: try row.optional("previous_secret_sealed"),
                previousExpiresAt: try row.optional("previous_secret_expires_at")),
            createdAt: try row.decode(column: "created_at", as: Date.self),
            updatedAt: try row.decode(column: "updated_at", as: Date.self),
            deletedAt: try row.optional("deleted_at"))
    }

    /// Every event's transaction reads its endpoints' filters: each stored text is decoded once.
    private static let storedFilters = DecodedJSONMemo<[String]>(byteLimit: 256 << 10)

    private static func filters(_ stored: String, id: String) throws -> [String] {
        guard let filters = storedFilters.decode(stored) else {
            throw StoredValueInvalid(table: table, column: "enabled_events", id: id)
        }
        return filters
    }
}
