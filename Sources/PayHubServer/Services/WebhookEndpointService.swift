import Fluent
import Foundation
import PayHubCore

/// Merchants' webhook endpoints: receiver URLs, event filters and signing secrets (sealed at rest).
struct WebhookEndpointService: Sendable {
    /// An endpoint with its secret in the clear: only when it is created or its secret rotated.
    struct WithSecret: Sendable {
        var endpoint: WebhookEndpointRecord
        var secret: String
    }

    let context: PayHubContext
    let db: any Database
    private let endpoints = WebhookEndpointRepository()

    init(context: PayHubContext, db: any Database) {
        self.context = context
        self.db = db
    }

    /// How long the previous secret keeps signing after a rotation.
    static let rotationOverlap: TimeInterval = 24 * 3600
    static let endpointLimit = 16

    func create(_ input: CreateWebhookEndpointRequest, principal: Principal) async throws -> WithSecret {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        try WebhookTargetPolicy(allowsPrivate: context.config.webhookAllowsPrivate).validate(url: input.url, livemode: principal.livemode)
        let filters = input.enabledEvents ?? ["*"]
        guard !filters.isEmpty, filters.count <= 64 else {
            throw ServiceError.invalid("parameter_invalid", "enabled_events must list 1 to 64 event types.", param: "enabled_events")
        }
        for filter in filters where !EventType.isValidFilter(filter) {
            throw ServiceError.invalid("parameter_invalid", "Unknown event type '\(filter)' in enabled_events.", param: "enabled_events")
        }
        try InputRules.text(input.description, max: 500, param: "description")
        let now = context.clock.now()
        let secret = StandardWebhookSigner.newSecret()
        let endpoint = WebhookEndpointRecord(
            id: context.ids.make(), scope: principal.scope, url: input.url, description: input.description,
            enabledEvents: filters, status: .enabled, disabledReason: nil,
            secrets: SealedSigningSecrets(current: try context.secrets.seal(secret)), createdAt: now, updatedAt: now)
        let endpoints = self.endpoints
        try await context.transactor.writeSQL(on: db) { tx in
            // Counted inside the transaction, with the merchant's row locked: concurrent creations take turns.
            try await MerchantRepository().lock(endpoint.scope, on: tx)
            guard try await endpoints.countOfMerchant(in: endpoint.scope, on: tx) < Self.endpointLimit else {
                throw ServiceError.invalid("webhook_endpoint_limit", "A merchant can have at most \(Self.endpointLimit) webhook endpoints.")
            }
            try await endpoints.insert(endpoint, on: tx)
        }
        return WithSecret(endpoint: endpoint, secret: secret)
    }

    func list(principal: Principal, page: PageRequest) async throws -> (endpoints: [WebhookEndpointRecord], hasMore: Bool) {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        return try await endpoints.page(in: principal.scope, page, on: context.transactor.reader(db))
    }

    func retrieve(_ id: String, principal: Principal) async throws -> WebhookEndpointRecord {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        guard let endpointID = WebhookEndpointID(validating: id),
              let endpoint = try await endpoints.find(endpointID, in: principal.scope, on: context.transactor.reader(db))
        else { throw ServiceError.notFound("webhook_endpoint", id: id) }
        return endpoint
    }

    /// Deletes the endpoint: it stops receiving at once (`WebhookEndpointShutdown`).
    func delete(_ id: String, principal: Principal) async throws -> WebhookEndpointID {
        let endpoint = try await retrieve(id, principal: principal)
        let now = context.clock.now()
        try await context.transactor.writeSQL(on: db) { tx in
            try await WebhookEndpointShutdown.disable(endpoint.id, reason: "deleted", deleted: true, in: endpoint.scope, now: now, on: tx)
        }
        return endpoint.id
    }

    /// A new secret; the previous one keeps signing for 24 hours so receivers can switch over. Rotations of one
    /// endpoint take turns: each demotes the secret it finds in the statement that writes its own.
    func rotateSecret(_ id: String, principal: Principal) async throws -> WithSecret {
        let endpoint = try await retrieve(id, principal: principal)
        let now = context.clock.now()
        let secret = StandardWebhookSigner.newSecret()
        let sealed = try context.secrets.seal(secret)
        let endpoints = self.endpoints
        let rotated = try await context.transactor.writeSQL(on: db) { tx in
            try await endpoints.rotateSecret(
                endpoint.id, in: endpoint.scope, to: sealed, previousExpiresAt: now.addingTimeInterval(Self.rotationOverlap), now: now, on: tx)
        }
        guard let rotated else { throw ServiceError.notFound("webhook_endpoint", id: id) }
        return WithSecret(endpoint: rotated, secret: secret)
    }
}
