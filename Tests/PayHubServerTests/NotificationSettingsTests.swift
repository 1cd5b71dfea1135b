import Foundation
import Logging
import NIOPosix
import PayHubCore
import PayHubMail
@testable import PayHubServer
import XCTest

/// `PAYHUB_SMTP_*`, `PAYHUB_MAIL_FROM`, `PAYHUB_SMS_GATEWAY` and `PAYHUB_TWILIO_*`, validated at boot.
final class NotificationSettingsTests: XCTestCase {
    let base = ["PAYHUB_MASTER_KEY": Data(repeating: 7, count: 32).base64EncodedString(), "PAYHUB_DATA_DIR": "/tmp/payhub-notify-config"]
    static let sid = "AC" + String(repeating: "0f", count: 16)

    func load(_ env: [String: String]) throws -> PayHubConfig {
        try PayHubConfig.load(environment: base.merging(env) { $1 })
    }

    func problems(_ env: [String: String], file: StaticString = #filePath, line: UInt = #line) -> [String] {
        do {
            _ = try load(env)
            XCTFail("accepted \(env)", file: file, line: line)
            return []
        } catch let invalid as PayHubConfig.Invalid {
            return invalid.problems
        } catch {
            XCTFail("\(error)", file: file, line: line)
            return []
        }
    }

    func testTheDemoWritesEmailsToTheOutboxAndLogsTextMessages() throws {
        let config = try load([:])
        guard case .outbox(let directory) = config.mail.delivery else { return XCTFail("\(config.mail.delivery)") }
        XCTAssertEqual(directory, "/tmp/payhub-notify-config/outbox")
        XCTAssertEqual(config.mail.from, MailAddress("payhub@localhost", name: "PayHub"))
        guard case .log = config.sms else { return XCTFail("\(config.sms)") }
    }

    func testSMTPSettings() throws {
        let config = try load([
            "PAYHUB_SMTP_HOST": "smtp.example.com", "PAYHUB_SMTP_USERNAME": "shop", "PAYHUB_SMTP_PASSWORD": "pw-secret-1",
            "PAYHUB_MAIL_FROM": "Example Shop <shop@example.com>",
        ])
        guard case .smtp(let smtp) = config.mail.delivery else { return XCTFail("\(config.mail.delivery)") }
        XCTAssertEqual(smtp.host, "smtp.example.com")
        XCTAssertEqual(smtp.port, 587)
        XCTAssertEqual(smtp.security, .starttls)
        XCTAssertEqual(smtp.credentials?.username, "shop")
        XCTAssertEqual(smtp.sender, "shop@example.com")
        XCTAssertEqual(smtp.heloName, "example.com")
        XCTAssertEqual(config.mail.from, MailAddress("shop@example.com", name: "Example Shop"))
        XCTAssertFalse(String(describing: config.mail).contains("pw-secret-1"), "the password is never shown")

        let implicit = try load(["PAYHUB_SMTP_HOST": "127.0.0.1", "PAYHUB_SMTP_SECURITY": "tls", "PAYHUB_MAIL_FROM": "a@example.com"])
        guard case .smtp(let tls) = implicit.mail.delivery else { return XCTFail() }
        XCTAssertEqual(tls.port, 465)
        let relay = try load(["PAYHUB_SMTP_HOST": "localhost", "PAYHUB_SMTP_SECURITY": "none", "PAYHUB_SMTP_PORT": "2525", "PAYHUB_MAIL_FROM": "a@example.com"])
        guard case .smtp(let plain) = relay.mail.delivery else { return XCTFail() }
        XCTAssertEqual(plain.port, 2525)
        XCTAssertNil(plain.credentials)
    }

    func testSMTPMistakesAreRefusedLoudly() {
        let host = ["PAYHUB_SMTP_HOST": "smtp.example.com", "PAYHUB_MAIL_FROM": "shop@example.com"]
        XCTAssertEqual(problems(host.merging(["PAYHUB_SMTP_SECURITY": "ssl"]) { $1 }), ["PAYHUB_SMTP_SECURITY must be none, starttls or tls, got 'ssl'"])
        XCTAssertEqual(problems(host.merging(["PAYHUB_SMTP_PORT": "0"]) { $1 }), ["PAYHUB_SMTP_PORT must be an integer in 1...65535, got '0'"])
        XCTAssertEqual(problems(host.merging(["PAYHUB_SMTP_USERNAME": "shop"]) { $1 }), ["PAYHUB_SMTP_USERNAME and PAYHUB_SMTP_PASSWORD go together"])
        let clear = problems(host.merging(["PAYHUB_SMTP_SECURITY": "none", "PAYHUB_SMTP_USERNAME": "u", "PAYHUB_SMTP_PASSWORD": "pw-secret-2"]) { $1 })
        XCTAssertEqual(clear.count, 1)
        XCTAssertFalse(clear.joined().contains("pw-secret-2"))
        XCTAssertEqual(problems(["PAYHUB_SMTP_HOST": "smtp.example.com"]), ["PAYHUB_MAIL_FROM is required with PAYHUB_SMTP_HOST (the sender of every email)"])
        XCTAssertEqual(problems(["PAYHUB_SMTP_PASSWORD": "x"]), ["PAYHUB_SMTP_PASSWORD set without PAYHUB_SMTP_HOST"])
        XCTAssertEqual(problems(["PAYHUB_MAIL_FROM": "shop@example.com\r\nBcc: x@example.net"]).count, 1)
        XCTAssertEqual(problems(["PAYHUB_MAIL_FROM": "not an address"]).count, 1)
    }

    func testTwilioSettings() throws {
        let config = try load([
            "PAYHUB_SMS_GATEWAY": "twilio", "PAYHUB_TWILIO_ACCOUNT_SID": Self.sid, "PAYHUB_TWILIO_AUTH_TOKEN": "tok-secret-3",
            "PAYHUB_TWILIO_FROM": "+15005550006",
        ])
        guard case .twilio(let credentials, let sender) = config.sms else { return XCTFail("\(config.sms)") }
        XCTAssertEqual(credentials.accountSID, Self.sid)
        XCTAssertEqual(sender, .from("+15005550006"))
        XCTAssertFalse(String(describing: config.sms).contains("tok-secret-3"), "the token is never shown")

        XCTAssertEqual(problems(["PAYHUB_SMS_GATEWAY": "twilio", "PAYHUB_TWILIO_ACCOUNT_SID": Self.sid]),
                       ["PAYHUB_SMS_GATEWAY=twilio needs PAYHUB_TWILIO_AUTH_TOKEN, PAYHUB_TWILIO_FROM"])
        XCTAssertEqual(problems([
            "PAYHUB_SMS_GATEWAY": "twilio", "PAYHUB_TWILIO_ACCOUNT_SID": "AC123", "PAYHUB_TWILIO_AUTH_TOKEN": "t", "PAYHUB_TWILIO_FROM": "+1",
        ]), ["PAYHUB_TWILIO_ACCOUNT_SID must be AC followed by 32 hexadecimal digits"])
        XCTAssertEqual(problems(["PAYHUB_SMS_GATEWAY": "carrier-pigeon"]), ["PAYHUB_SMS_GATEWAY must be log or twilio, got 'carrier-pigeon'"])
        XCTAssertEqual(problems(["PAYHUB_TWILIO_AUTH_TOKEN": "tok-secret-3"]), ["PAYHUB_TWILIO_AUTH_TOKEN set but PAYHUB_SMS_GATEWAY is not twilio"])
    }

    func testTheDemoOutboxWritesEmlFiles() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("payhub-outbox-" + UUID().uuidString).path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = try PayHubConfig.load(environment: base.merging(["PAYHUB_DATA_DIR": directory]) { $1 })
        let clock = TestClock()
        let renderer = NotificationTransports.renderer(config: config, clock: clock, ids: SecureRandomIDGenerator())
        let transport = try NotificationTransports.mail(
            config: config, renderer: renderer, eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "test"))
        let receipt = try await transport.send(MailMessage(
            from: config.mail.from, to: [MailAddress("ada@example.org")], subject: "Votre lien de paiement", textBody: "https://pay.example/l/1",
            htmlBody: "<a href=\"https://pay.example/l/1\">Payer</a>"))
        XCTAssertTrue(receipt.messageID.hasSuffix("@localhost>"))
        let files = try FileManager.default.contentsOfDirectory(atPath: directory + "/outbox")
        XCTAssertEqual(files.count, 1)
        XCTAssertTrue(files[0].hasPrefix("1800000000000-") && files[0].hasSuffix(".eml"), files[0])
        let text = try String(contentsOfFile: directory + "/outbox/" + files[0], encoding: .utf8)
        XCTAssertTrue(text.contains("Message-ID: \(receipt.messageID)\r\n"))
        XCTAssertTrue(text.contains("Date: Fri, 15 Jan 2027 08:00:00 +0000\r\n"), "the injected clock")
    }
}
