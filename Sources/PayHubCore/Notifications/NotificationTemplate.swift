import Foundation

/// The four texts of one event in one language: the email's subject, text body and HTML body, and the SMS.
public struct NotificationTemplate: Sendable, Equatable, Codable {
    public enum Field: String, CaseIterable, Sendable {
        case subject, text, html, sms
    }

    public var subject: String
    public var text: String
    public var html: String
    public var sms: String

    public init(subject: String, text: String, html: String, sms: String) {
        self.subject = subject
        self.text = text
        self.html = html
        self.sms = sms
    }

    public subscript(field: Field) -> String {
        switch field {
        case .subject: subject
        case .text: text
        case .html: html
        case .sms: sms
        }
    }

    /// Limits of each text, in characters (an SMS of more than 10 segments is not a text message).
    public static let maximumLength: [Field: Int] = [.subject: 200, .text: 20_000, .html: 50_000, .sms: 1_600]

    /// Parses the four texts and checks they name only the event's variables: the first problem, naming its field.
    public func validated(for event: NotificationEvent) throws(NotificationTemplateInvalid) -> ParsedNotificationTemplate {
        var parsed: [Field: TemplateText] = [:]
        for field in Field.allCases {
            let source = self[field]
            if source.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw NotificationTemplateInvalid(field: field, problem: "must not be empty")
            }
            if source.count > Self.maximumLength[field]! {
                throw NotificationTemplateInvalid(field: field, problem: "is longer than \(Self.maximumLength[field]!) characters")
            }
            if field == .subject, source.contains(where: \.isNewline) {
                throw NotificationTemplateInvalid(field: field, problem: "must be one line")
            }
            let text: TemplateText
            do throws(TemplateSyntaxError) {
                text = try TemplateText(parsing: source)
            } catch {
                throw NotificationTemplateInvalid(field: field, problem: error.problem)
            }
            if let unknown = text.variables.subtracting(event.variables).sorted().first {
                throw NotificationTemplateInvalid(
                    field: field,
                    problem: "uses the unknown variable '\(unknown)' (\(event.rawValue) has \(event.variables.sorted().joined(separator: ", ")))")
            }
            parsed[field] = text
        }
        return ParsedNotificationTemplate(
            subject: parsed[.subject]!, text: parsed[.text]!, html: parsed[.html]!, sms: parsed[.sms]!)
    }
}

/// A checked template, ready to render.
public struct ParsedNotificationTemplate: Sendable, Equatable {
    public var subject: TemplateText
    public var text: TemplateText
    public var html: TemplateText
    public var sms: TemplateText

    /// The texts with these values: the HTML body's values HTML-escaped, the others as they are. The subject keeps
    /// to one line whatever a value holds.
    public func render(_ values: [String: String]) -> RenderedNotification {
        RenderedNotification(
            subject: subject.render(values, escapingHTML: false).split(whereSeparator: \.isNewline).joined(separator: " "),
            text: text.render(values, escapingHTML: false),
            html: html.render(values, escapingHTML: true),
            sms: sms.render(values, escapingHTML: false))
    }
}

/// A notification's texts as they are sent.
public struct RenderedNotification: Sendable, Equatable {
    public var subject: String
    public var text: String
    public var html: String
    public var sms: String
}

/// A template that cannot be saved, and which of its texts is wrong.
public struct NotificationTemplateInvalid: Error, Equatable, Sendable, CustomStringConvertible {
    public var field: NotificationTemplate.Field
    public var problem: String
    public var description: String { "\(field.rawValue) \(problem)" }
}
