import Foundation
import PayHubCore
import SQLKit

/// The merchants' template overrides: the only code on `notification_templates`. One per event, locale and mode of
/// a merchant; the shipped defaults are not stored (`NotificationTemplateCatalog`).
struct NotificationTemplateRepository: Sendable {
    private static let columns = "merchant_id, livemode, event, locale, subject, body_text, body_html, sms, enabled, updated_at"

    func override(_ event: NotificationEvent, _ locale: CustomerLocale, in scope: TenantScope, on db: any SQLDatabase) async throws -> NotificationTemplateOverride? {
        guard let row = try await db.raw("""
            SELECT \(unsafeRaw: Self.columns) FROM notification_templates WHERE merchant_id = \(bind: scope.merchantID) \
            AND livemode = \(bind: scope.livemode) AND event = \(bind: event.rawValue) AND locale = \(bind: locale.rawValue)
            """).first()
        else { return nil }
        return try Self.record(row: row)
    }

    func overrides(in scope: TenantScope, on db: any SQLDatabase) async throws -> [NotificationTemplateOverride] {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.columns) FROM notification_templates WHERE merchant_id = \(bind: scope.merchantID) \
            AND livemode = \(bind: scope.livemode)
            """).all().map(Self.record(row:))
    }

    /// Writes the override, replacing the one before.
    func save(_ record: NotificationTemplateOverride, on tx: any SQLDatabase) async throws {
        let template = record.template
        try await tx.raw("""
            INSERT INTO notification_templates (\(unsafeRaw: Self.columns)) VALUES (\(bind: record.scope.merchantID), \
            \(bind: record.scope.livemode), \(bind: record.event.rawValue), \(bind: record.locale.rawValue), \(bind: template.subject), \
            \(bind: template.text), \(bind: template.html), \(bind: template.sms), \(bind: record.enabled), \(bind: record.updatedAt)) \
            ON CONFLICT (merchant_id, livemode, event, locale) DO UPDATE SET subject = \(bind: template.subject), \
            body_text = \(bind: template.text), body_html = \(bind: template.html), sms = \(bind: template.sms), \
            enabled = \(bind: record.enabled), updated_at = \(bind: record.updatedAt)
            """).run()
    }

    /// Removes the override; false when there was none.
    func delete(_ event: NotificationEvent, _ locale: CustomerLocale, in scope: TenantScope, on tx: any SQLDatabase) async throws -> Bool {
        try await tx.raw("""
            DELETE FROM notification_templates WHERE merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode) \
            AND event = \(bind: event.rawValue) AND locale = \(bind: locale.rawValue) RETURNING event
            """).first() != nil
    }

    private static func record(row: any SQLRow) throws -> NotificationTemplateOverride {
        let event = try row.decode(column: "event", as: String.self)
        let locale = try row.decode(column: "locale", as: String.self)
        let stored = try StoredRow(table: "notification_templates", id: "\(event)/\(locale)")
        return NotificationTemplateOverride(
            scope: try TenantScope(row: row),
            event: try stored.parse(event, column: "event"),
            locale: try stored.parse(locale, column: "locale"),
            template: NotificationTemplate(
                subject: try row.decode(column: "subject", as: String.self),
                text: try row.decode(column: "body_text", as: String.self),
                html: try row.decode(column: "body_html", as: String.self),
                sms: try row.decode(column: "sms", as: String.self)),
            enabled: try row.decode(column: "enabled", as: Bool.self),
            updatedAt: try row.decode(column: "updated_at", as: Date.self))
    }
}
