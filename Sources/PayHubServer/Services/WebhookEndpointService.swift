import Fluent
import Foundation
import PayHubCore
import SQLKit

struct CreateWebhookEndpointRequest: StrictRequest {
    var url: String
    var enabledEvents: [String]?
    var description: String?

    enum CodingKeys: String, CodingKey {
        case url, description
        case enabledEvents = "enabled_events"
    }

    static let shape: [String: FieldShape] = ["url": .value, "enabled_events": .value, "description": .value]
}

/// Merchants' webhook endpoints: receiver URLs, event filters and signing secrets (sealed at rest).
struct WebhookEndpointService: Sendable {
    let context: PayHubContext
    let db: any Database

    /// How long the previous secret keeps signing after a rotation.
    static let rotationOverlap: TimeInterval = 24 * 3600
    static let endpointLimit = 16

    func create(_ input: CreateWebhookEndpointRequest, principal: Principal) async throws -> WebhookEndpointObject {
        guard principal.isSecretKey else { throw APIError.secretKeyRequired }
        try WebhookTargetPolicy(allowsPrivate: context.config.webhookAllowsPrivate).validate(url: input.url, livemode: principal.livemode)
        let filters = input.enabledEvents ?? ["*"]
        guard !filters.isEmpty, filters.count <= 64 else {
            throw APIError.invalid("parameter_invalid", "enabled_events must list 1 to 64 event types.", param: "enabled_events")
        }
        for filter in filters where !EventType.isValidFilter(filter) {
            throw APIError.invalid("parameter_invalid", "Unknown event type '\(filter)' in enabled_events.", param: "enabled_events")
        }
        try InputRules.text(input.description, max: 500, param: "description")
        let now = context.clock.now()
        let secret = StandardWebhookSigner.newSecret()
        let endpoint = WebhookEndpointModel()
        endpoint.id = (context.ids.make() as WebhookEndpointID).rawValue
        endpoint.merchantID = principal.merchantID
        endpoint.livemode = principal.livemode
        endpoint.url = input.url
        endpoint.endpointDescription = input.description
        endpoint.enabledEvents = JSONText.encode(filters)
        endpoint.secretSealed = try context.secrets.seal(secret)
        endpoint.status = "enabled"
        endpoint.createdAt = now
        endpoint.updatedAt = now
        let merchantID = principal.merchantID
        try await context.transactor.write(on: db) { tx in
            // Counted inside the transaction, with the merchant's row locked: concurrent creations take turns.
            try await tx.sql.lockForUpdate(MerchantModel.schema, id: merchantID)
            let count = try await WebhookEndpointModel.query(on: tx)
                .filter(\.$merchantID == merchantID).filter(\.$deletedAt == nil).count()
            guard count < Self.endpointLimit else {
                throw APIError.invalid("webhook_endpoint_limit", "A merchant can have at most \(Self.endpointLimit) webhook endpoints.")
            }
            try await endpoint.create(on: tx)
        }
        var object = Self.object(endpoint)
        object.secret = secret
        return object
    }

    func list(principal: Principal, page: PageRequest) async throws -> ListObject<WebhookEndpointObject> {
        guard principal.isSecretKey else { throw APIError.secretKeyRequired }
        let db = self.db
        let result = try await Paginator.page(
            {
                WebhookEndpointModel.query(on: db)
                    .filter(\.$merchantID == principal.merchantID).filter(\.$livemode == principal.livemode)
                    .filter(\.$deletedAt == nil)
            },
            request: page, created: \.$createdAt, id: \.$id,
            cursor: { try await self.find($0, principal: principal) })
        return ListObject(data: result.items.map(Self.object), hasMore: result.hasMore, url: "/v1/webhook_endpoints")
    }

    func retrieve(_ id: String, principal: Principal) async throws -> WebhookEndpointObject {
        Self.object(try await load(id, principal: principal))
    }

    func delete(_ id: String, principal: Principal) async throws -> DeletedObject {
        _ = try await load(id, principal: principal)
        let now = context.clock.now()
        try await context.transactor.writeSQL(on: db) { tx in
            try await WebhookEndpointModel.disable(id, reason: "deleted", deleted: true, now: now, on: tx)
        }
        return DeletedObject(id: id, object: "webhook_endpoint")
    }

    /// A new secret; the previous one keeps signing for 24 hours so receivers can switch over. Rotations of one
    /// endpoint take turns: each reads the secret it demotes inside its transaction, with the row locked.
    func rotateSecret(_ id: String, principal: Principal) async throws -> WebhookEndpointObject {
        _ = try await load(id, principal: principal)
        let now = context.clock.now()
        let secret = StandardWebhookSigner.newSecret()
        let sealed = try context.secrets.seal(secret)
        let endpoint = try await context.transactor.write(on: db) { tx in
            try await tx.sql.lockForUpdate(WebhookEndpointModel.schema, id: id)
            guard let endpoint = try await Self.find(id, principal: principal, on: tx) else {
                throw APIError.notFound("webhook_endpoint", id: id)
            }
            endpoint.previousSecretSealed = endpoint.secretSealed
            endpoint.previousSecretExpiresAt = now.addingTimeInterval(Self.rotationOverlap)
            endpoint.secretSealed = sealed
            endpoint.updatedAt = now
            try await endpoint.save(on: tx)
            return endpoint
        }
        var object = Self.object(endpoint)
        object.secret = secret
        return object
    }

    private func load(_ id: String, principal: Principal) async throws -> WebhookEndpointModel {
        guard principal.isSecretKey else { throw APIError.secretKeyRequired }
        guard let endpoint = try await find(id, principal: principal) else { throw APIError.notFound("webhook_endpoint", id: id) }
        return endpoint
    }

    private func find(_ id: String, principal: Principal) async throws -> WebhookEndpointModel? {
        try await Self.find(id, principal: principal, on: db)
    }

    private static func find(_ id: String, principal: Principal, on db: any Database) async throws -> WebhookEndpointModel? {
        try await WebhookEndpointModel.query(on: db)
            .filter(\.$id == id).filter(\.$merchantID == principal.merchantID).filter(\.$livemode == principal.livemode)
            .filter(\.$deletedAt == nil).first()
    }

    static func object(_ endpoint: WebhookEndpointModel) -> WebhookEndpointObject {
        WebhookEndpointObject(
            id: endpoint.id ?? "", livemode: endpoint.livemode, url: endpoint.url, description: endpoint.endpointDescription,
            enabledEvents: endpoint.filters, status: endpoint.status, disabledReason: endpoint.disabledReason,
            created: Presenter.unix(endpoint.createdAt))
    }
}
