import FluentKit
import Foundation
import PayHubCore
import SQLKit

/// A template as the API shows it: the merchant's override, or the default.
struct NotificationTemplateView: Sendable, Equatable {
    enum Source: String, Sendable {
        case `default`, merchant
    }

    var event: NotificationEvent
    var locale: CustomerLocale
    var template: NotificationTemplate
    var source: Source
    var enabled: Bool
    var updatedAt: Date?
    var livemode: Bool
}

/// The templates a merchant's notifications use: its overrides, else the shipped defaults. Overrides are checked
/// (syntax and the event's variables) when saved and again when read.
struct NotificationTemplates: Sendable {
    let context: PayHubContext
    let db: any Database

    private var overrides: NotificationTemplateRepository { NotificationTemplateRepository() }
    private var reader: any SQLDatabase { context.transactor.reader(db) }

    static func catalog() throws -> NotificationTemplateCatalog { try NotificationTemplateCatalog.shipped.get() }

    /// The template to render now, on `db` (the caller's transaction).
    static func parsed(_ event: NotificationEvent, _ locale: CustomerLocale, in scope: TenantScope, on db: any SQLDatabase) async throws -> ParsedNotificationTemplate {
        guard let stored = try await NotificationTemplateRepository().override(event, locale, in: scope, on: db) else {
            return try catalog().parsed(event, locale)
        }
        do throws(NotificationTemplateInvalid) {
            return try stored.template.validated(for: event)
        } catch {
            throw StoredValueInvalid(table: "notification_templates", column: error.field.rawValue, id: "\(event.rawValue)/\(locale.rawValue)")
        }
    }

    /// Whether automatic notifications of this event go out in this language (an override may switch them off).
    static func isEnabled(_ event: NotificationEvent, _ locale: CustomerLocale, in scope: TenantScope, on db: any SQLDatabase) async throws -> Bool {
        try await NotificationTemplateRepository().override(event, locale, in: scope, on: db)?.enabled ?? true
    }

    // MARK: - API

    func retrieve(event rawEvent: String, locale rawLocale: String, principal: Principal) async throws -> NotificationTemplateView {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        let (event, locale) = try Self.key(rawEvent, rawLocale)
        let stored = try await overrides.override(event, locale, in: principal.scope, on: reader)
        return try view(event, locale, stored, livemode: principal.livemode)
    }

    /// All of them: every event in every language, overridden or not.
    func list(principal: Principal) async throws -> [NotificationTemplateView] {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        let stored = try await overrides.overrides(in: principal.scope, on: reader)
        var views: [NotificationTemplateView] = []
        for event in NotificationEvent.allCases {
            for locale in CustomerLocale.allCases {
                views.append(try view(event, locale, stored.first { $0.event == event && $0.locale == locale }, livemode: principal.livemode))
            }
        }
        return views
    }

    func update(
        event rawEvent: String, locale rawLocale: String, template: NotificationTemplate, enabled: Bool?, principal: Principal
    ) async throws -> NotificationTemplateView {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        let (event, locale) = try Self.key(rawEvent, rawLocale)
        do throws(NotificationTemplateInvalid) {
            _ = try template.validated(for: event)
        } catch {
            throw ServiceError.invalid("template_invalid", "\(error.field.rawValue) \(error.problem).", param: error.field.rawValue)
        }
        let record = NotificationTemplateOverride(
            scope: principal.scope, event: event, locale: locale, template: template, enabled: enabled ?? true,
            updatedAt: context.clock.now())
        let overrides = self.overrides
        try await context.transactor.writeSQL(on: db) { tx in
            try await overrides.save(record, on: tx)
        }
        return try view(event, locale, record, livemode: principal.livemode)
    }

    /// Back to the default (a merchant without an override gets the default: not an error).
    func delete(event rawEvent: String, locale rawLocale: String, principal: Principal) async throws -> NotificationTemplateView {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        let (event, locale) = try Self.key(rawEvent, rawLocale)
        let (overrides, scope) = (self.overrides, principal.scope)
        _ = try await context.transactor.writeSQL(on: db) { tx in
            try await overrides.delete(event, locale, in: scope, on: tx)
        }
        return try view(event, locale, nil, livemode: principal.livemode)
    }

    private func view(
        _ event: NotificationEvent, _ locale: CustomerLocale, _ stored: NotificationTemplateOverride?, livemode: Bool
    ) throws -> NotificationTemplateView {
        guard let stored else {
            return NotificationTemplateView(
                event: event, locale: locale, template: try Self.catalog().template(event, locale), source: .default, enabled: true,
                updatedAt: nil, livemode: livemode)
        }
        return NotificationTemplateView(
            event: event, locale: locale, template: stored.template, source: .merchant, enabled: stored.enabled,
            updatedAt: stored.updatedAt, livemode: livemode)
    }

    static func key(_ rawEvent: String, _ rawLocale: String) throws -> (NotificationEvent, CustomerLocale) {
        guard let event = NotificationEvent(rawValue: rawEvent) else {
            throw ServiceError.notFound("notification_template", id: rawEvent, param: "event")
        }
        guard let locale = CustomerLocale(rawValue: rawLocale) else {
            throw ServiceError.notFound("notification_template", id: "\(rawEvent)/\(rawLocale)", param: "locale")
        }
        return (event, locale)
    }
}
