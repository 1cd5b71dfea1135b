import Vapor

/// `/v1/notifications`: the emails and text messages PayHub sent (or is sending) for the merchant.
struct NotificationsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let notifications = routes.grouped("notifications")
        notifications.post(use: create)
        notifications.get(use: list)
        notifications.get(":id", use: retrieve)
        try routes.register(collection: NotificationTemplatesController())
    }

    private func service(_ request: Request) -> NotificationService {
        NotificationService(context: request.payhub, db: request.db)
    }

    private func present(_ detailed: NotificationService.Detailed) -> NotificationObject {
        NotificationObject(detailed.notification, attempts: detailed.attempts)
    }

    @Sendable func create(_ request: Request) async throws -> Response {
        try await request.idempotent {
            let input = try request.decodeStrict(CreateNotificationRequest.self)
            return try present(try await service(request).send(input, principal: try request.principal)).response(.created)
        }
    }

    @Sendable func list(_ request: Request) async throws -> Response {
        let page = try await service(request).list(
            principal: try request.principal, page: try PageRequest(request, filters: ["status", "payment_intent", "payment_link"]))
        return try ListObject(data: page.items.map(present), hasMore: page.hasMore, url: "/v1/notifications").response()
    }

    @Sendable func retrieve(_ request: Request) async throws -> Response {
        try present(try await service(request).retrieve(try request.parameters.require("id"), principal: try request.principal)).response()
    }
}

/// `/v1/notification_templates`: the texts of each event in each language, the merchant's or the defaults.
struct NotificationTemplatesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let templates = routes.grouped("notification_templates")
        templates.get(use: list)
        templates.group(":event", ":locale") { template in
            template.get(use: retrieve)
            template.put(use: update)
            template.delete(use: delete)
        }
    }

    private func service(_ request: Request) -> NotificationTemplates {
        NotificationTemplates(context: request.payhub, db: request.db)
    }

    @Sendable func list(_ request: Request) async throws -> Response {
        let views = try await service(request).list(principal: try request.principal)
        return try ListObject(data: views.map(NotificationTemplateObject.init), hasMore: false, url: "/v1/notification_templates").response()
    }

    @Sendable func retrieve(_ request: Request) async throws -> Response {
        let view = try await service(request).retrieve(
            event: try request.parameters.require("event"), locale: try request.parameters.require("locale"), principal: try request.principal)
        return try NotificationTemplateObject(view).response()
    }

    /// PUT and DELETE are idempotent by themselves: the same request leaves the same override.
    @Sendable func update(_ request: Request) async throws -> Response {
        let input = try request.decodeStrict(UpdateNotificationTemplateRequest.self)
        let view = try await service(request).update(
            event: try request.parameters.require("event"), locale: try request.parameters.require("locale"), template: input.template,
            enabled: input.enabled, principal: try request.principal)
        return try NotificationTemplateObject(view).response()
    }

    @Sendable func delete(_ request: Request) async throws -> Response {
        let view = try await service(request).delete(
            event: try request.parameters.require("event"), locale: try request.parameters.require("locale"), principal: try request.principal)
        return try NotificationTemplateObject(view).response()
    }
}
