import Foundation
import PayHubCore

/// The default templates PayHub ships: `Resources/Notifications/<locale>.json`, one object per event with its
/// subject, text, html and sms. Loading checks every event in every locale, and every template against its event's
/// variables, so a default can never be missing or name an unknown variable.
struct NotificationTemplateCatalog: Sendable {
    struct Invalid: Error, CustomStringConvertible {
        var locale: CustomerLocale
        var event: String?
        var problem: String
        var description: String { "notification templates \(locale.rawValue)\(event.map { " \($0)" } ?? ""): \(problem)" }
    }

    private let templates: [CustomerLocale: [NotificationEvent: (source: NotificationTemplate, parsed: ParsedNotificationTemplate)]]

    init(_ sources: [CustomerLocale: [String: NotificationTemplate]]) throws {
        var templates: [CustomerLocale: [NotificationEvent: (source: NotificationTemplate, parsed: ParsedNotificationTemplate)]] = [:]
        for locale in CustomerLocale.allCases {
            guard let table = sources[locale] else { throw Invalid(locale: locale, event: nil, problem: "missing") }
            if let extra = Set(table.keys).subtracting(NotificationEvent.allCases.map(\.rawValue)).sorted().first {
                throw Invalid(locale: locale, event: extra, problem: "is not a notification event")
            }
            for event in NotificationEvent.allCases {
                guard let template = table[event.rawValue] else { throw Invalid(locale: locale, event: event.rawValue, problem: "missing") }
                do throws(NotificationTemplateInvalid) {
                    templates[locale, default: [:]][event] = (template, try template.validated(for: event))
                } catch {
                    throw Invalid(locale: locale, event: event.rawValue, problem: error.description)
                }
            }
        }
        self.templates = templates
    }

    /// The catalog shipped in the bundle, read once.
    static let shipped: Result<NotificationTemplateCatalog, any Error> = Result { try bundled() }

    static func bundled() throws -> NotificationTemplateCatalog {
        let directory = Bundle.module.bundleURL.appendingPathComponent("Resources/Notifications")
        var sources: [CustomerLocale: [String: NotificationTemplate]] = [:]
        for locale in CustomerLocale.allCases {
            let file = directory.appendingPathComponent("\(locale.rawValue).json")
            guard let data = try? Data(contentsOf: file) else { throw Invalid(locale: locale, event: nil, problem: "\(file.lastPathComponent) is missing") }
            do {
                sources[locale] = try JSONDecoder().decode([String: NotificationTemplate].self, from: data)
            } catch {
                throw Invalid(locale: locale, event: nil, problem: "\(file.lastPathComponent) is not an object of templates: \(error)")
            }
        }
        return try NotificationTemplateCatalog(sources)
    }

    func template(_ event: NotificationEvent, _ locale: CustomerLocale) -> NotificationTemplate {
        templates[locale]![event]!.source
    }

    func parsed(_ event: NotificationEvent, _ locale: CustomerLocale) -> ParsedNotificationTemplate {
        templates[locale]![event]!.parsed
    }
}
