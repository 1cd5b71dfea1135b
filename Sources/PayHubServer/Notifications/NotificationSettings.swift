import Foundation
import PayHubMail

/// How PayHub sends email: through an SMTP server, or (the demo's default) into `.eml` files in the data folder.
public struct MailSettings: Sendable {
    public enum Delivery: Sendable {
        case outbox(directory: String)
        case smtp(SMTPConfiguration)
    }

    /// `From` of every email (`PAYHUB_MAIL_FROM`).
    public var from: MailAddress
    public var delivery: Delivery
}

/// How PayHub sends text messages (`PAYHUB_SMS_GATEWAY`).
public enum SMSSettings: Sendable {
    /// Logged and kept in memory, never sent: the demo's default.
    case log
    case twilio(credentials: TwilioSMSGateway.Credentials, sender: TwilioSMSGateway.Sender)
}

extension PayHubConfig {
    static let demoMailFrom = MailAddress("payhub@localhost", name: "PayHub")

    /// Reads the `PAYHUB_SMTP_*` and `PAYHUB_MAIL_FROM` variables; each mistake is added to `problems`.
    static func mailSettings(_ env: [String: String], dataDirectory: String, problems: inout [String]) -> MailSettings {
        func value(_ name: String) -> String? { env[name].flatMap { $0.isEmpty ? nil : $0 } }
        var from = demoMailFrom
        if let raw = value("PAYHUB_MAIL_FROM") {
            if let parsed = parseMailbox(raw) { from = parsed } else {
                problems.append("PAYHUB_MAIL_FROM must be an address such as shop@example.com or \"Shop <shop@example.com>\", got '\(raw)'")
            }
        }
        guard let host = value("PAYHUB_SMTP_HOST") else {
            let stray = ["PAYHUB_SMTP_PORT", "PAYHUB_SMTP_SECURITY", "PAYHUB_SMTP_USERNAME", "PAYHUB_SMTP_PASSWORD"].filter { value($0) != nil }
            if !stray.isEmpty { problems.append("\(stray.joined(separator: ", ")) set without PAYHUB_SMTP_HOST") }
            return MailSettings(from: from, delivery: .outbox(directory: dataDirectory + "/outbox"))
        }
        if value("PAYHUB_MAIL_FROM") == nil { problems.append("PAYHUB_MAIL_FROM is required with PAYHUB_SMTP_HOST (the sender of every email)") }
        if host.contains(where: { $0.isWhitespace || $0 == "/" || $0 == ":" && !host.hasPrefix("[") }) {
            problems.append("PAYHUB_SMTP_HOST must be a host name or address, got '\(host)'")
        }
        let securityRaw = value("PAYHUB_SMTP_SECURITY") ?? "starttls"
        let security = SMTPConfiguration.Security(rawValue: securityRaw.lowercased()) ?? {
            problems.append("PAYHUB_SMTP_SECURITY must be none, starttls or tls, got '\(securityRaw)'")
            return .starttls
        }()
        var port = SMTPConfiguration.defaultPort(for: security)
        if let raw = value("PAYHUB_SMTP_PORT") {
            if let parsed = Int(raw), (1...65535).contains(parsed) { port = parsed } else {
                problems.append("PAYHUB_SMTP_PORT must be an integer in 1...65535, got '\(raw)'")
            }
        }
        var credentials: SMTPConfiguration.Credentials?
        switch (value("PAYHUB_SMTP_USERNAME"), value("PAYHUB_SMTP_PASSWORD")) {
        case (let username?, let password?):
            credentials = .init(username: username, password: password)
            if security == .none { problems.append("PAYHUB_SMTP_PASSWORD is only sent over TLS: set PAYHUB_SMTP_SECURITY to starttls or tls") }
        case (nil, nil): break
        default: problems.append("PAYHUB_SMTP_USERNAME and PAYHUB_SMTP_PASSWORD go together")
        }
        let domain = String(from.address.split(separator: "@").last ?? "localhost")
        return MailSettings(from: from, delivery: .smtp(SMTPConfiguration(
            host: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: port, security: security,
            credentials: credentials, sender: from.address, heloName: domain)))
    }

    /// Reads `PAYHUB_SMS_GATEWAY` and the `PAYHUB_TWILIO_*` variables.
    static func smsSettings(_ env: [String: String], problems: inout [String]) -> SMSSettings {
        func value(_ name: String) -> String? { env[name].flatMap { $0.isEmpty ? nil : $0 } }
        let twilioNames = ["PAYHUB_TWILIO_ACCOUNT_SID", "PAYHUB_TWILIO_AUTH_TOKEN", "PAYHUB_TWILIO_FROM"]
        switch value("PAYHUB_SMS_GATEWAY")?.lowercased() ?? "log" {
        case "log":
            let stray = twilioNames.filter { value($0) != nil }
            if !stray.isEmpty { problems.append("\(stray.joined(separator: ", ")) set but PAYHUB_SMS_GATEWAY is not twilio") }
            return .log
        case "twilio":
            let missing = twilioNames.filter { value($0) == nil }
            guard missing.isEmpty, let sid = value("PAYHUB_TWILIO_ACCOUNT_SID"), let token = value("PAYHUB_TWILIO_AUTH_TOKEN"),
                  let from = value("PAYHUB_TWILIO_FROM")
            else {
                problems.append("PAYHUB_SMS_GATEWAY=twilio needs \(missing.joined(separator: ", "))")
                return .log
            }
            if !(sid.count == 34 && sid.hasPrefix("AC") && sid.dropFirst(2).allSatisfy(\.isHexDigit)) {
                problems.append("PAYHUB_TWILIO_ACCOUNT_SID must be AC followed by 32 hexadecimal digits")
            }
            if from.contains(where: { $0.isWhitespace && $0 != " " }) || from.count > 64 {
                problems.append("PAYHUB_TWILIO_FROM must be a phone number (+15551234567), a sender id or a Messaging Service SID (MG...)")
            }
            return .twilio(credentials: .init(accountSID: sid, authToken: token), sender: TwilioSMSGateway.Sender(from))
        case let other:
            problems.append("PAYHUB_SMS_GATEWAY must be log or twilio, got '\(other)'")
            return .log
        }
    }

    /// `shop@example.com` or `Shop Name <shop@example.com>`.
    static func parseMailbox(_ raw: String) -> MailAddress? {
        let text = raw.trimmingCharacters(in: .whitespaces)
        var mailbox = MailAddress(text)
        if text.hasSuffix(">"), let open = text.lastIndex(of: "<") {
            let name = text[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            mailbox = MailAddress(String(text[text.index(after: open)..<text.index(before: text.endIndex)]), name: name.isEmpty ? nil : name)
        }
        do { try mailbox.validate() } catch { return nil }
        return mailbox
    }
}
