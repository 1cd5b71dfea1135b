import Foundation
@testable import PayHubServer
import XCTVapor

/// Twilio's status callbacks: signed reports of each text message's delivery, recorded on its notification and
/// its payment link.
final class SMSDeliveryReportTests: XCTestCase {
    static let authToken = "tw-auth-token-secret"
    static let twilio = [
        "PAYHUB_SMS_GATEWAY": "twilio", "PAYHUB_TWILIO_ACCOUNT_SID": "AC" + String(repeating: "a1", count: 16),
        "PAYHUB_TWILIO_AUTH_TOKEN": authToken, "PAYHUB_TWILIO_FROM": "+15005550006",
    ]
    static let callbackURL = "http://payhub.test/v1/sms/twilio/status"

    /// The signature of Twilio's documentation example, as its own library computes it
    /// (`twilio.request_validator.RequestValidator("12345").compute_signature(...)`).
    func testTheSignatureIsTwiliosDocumentedOne() {
        let parameters = [
            ("CallSid", "CA1234567890ABCDE"), ("Caller", "+12349013030"), ("Digits", "1234"), ("From", "+12349013030"), ("To", "+18005551212"),
        ]
        XCTAssertEqual(
            TwilioStatusCallback.signature(url: "https://mycompany.com/myapp.php?foo=1&bar=2", parameters: parameters, authToken: "12345"),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
        XCTAssertEqual(
            TwilioStatusCallback.signature(
                url: "https://payhub.example/v1/sms/twilio/status",
                parameters: [("MessageStatus", "delivered"), ("MessageSid", "SM0123456789abcdef0123456789abcdef"),
                             ("AccountSid", "AC0123456789abcdef0123456789abcdef")],
                authToken: "12345"),
            "7BJzKm3PEOeUPb/ZhlhnkuzMepk=")
    }

    func testTheGatewayIsToldWhereToReport() throws {
        let config = try PayHubConfig.load(environment: Self.twilio.merging(["PAYHUB_PUBLIC_URL": "https://pay.example.com"]) { $1 })
        XCTAssertEqual(config.smsStatusCallbackURL, "https://pay.example.com/v1/sms/twilio/status")
        let guessed = try PayHubConfig.load(environment: Self.twilio)
        XCTAssertNil(guessed.smsStatusCallbackURL, "Twilio cannot reach a guessed local address")
        let explicit = try PayHubConfig.load(environment: Self.twilio.merging(["PAYHUB_TWILIO_STATUS_CALLBACK": "https://hooks.example.com/sms"]) { $1 })
        XCTAssertEqual(explicit.smsStatusCallbackURL, "https://hooks.example.com/sms")
        XCTAssertThrowsError(try PayHubConfig.load(environment: Self.twilio.merging(["PAYHUB_TWILIO_STATUS_CALLBACK": "ftp://x"]) { $1 }))
    }

    func testADeliveredReportMarksTheNotificationAndTheLinkAndNeverGoesBack() async throws {
        try await withEachDatabase(environment: Self.twilio) { hub in
            let link = try await hub.request(
                .POST, "/v1/payment_links", json: ["amount": 500, "currency": "EUR", "send": "sms", "customer": ["phone": "+39 333 1234567"]])
            XCTAssertEqual(link.status, .created, link.text)
            try await hub.scheduler.runDue([.notificationSend])
            let sid = try XCTUnwrap(hub.sms.sent.first?.messageID)

            let queued = try await report(hub, ["MessageSid": sid, "MessageStatus": "sent", "AccountSid": "AC1"])
            XCTAssertEqual(queued["received"] as? String, "applied", queued.text)
            var notification = try await smsNotification(hub, link: link.id)
            XCTAssertEqual(notification["delivery_status"] as? String, "sent")
            XCTAssertTrue(notification["delivered_at"] is NSNull)

            hub.clock.advance(5)
            let delivered = try await report(hub, ["MessageSid": sid, "MessageStatus": "delivered", "AccountSid": "AC1"])
            XCTAssertEqual(delivered["received"] as? String, "applied")
            notification = try await smsNotification(hub, link: link.id)
            XCTAssertEqual(notification["delivery_status"] as? String, "delivered")
            let deliveredAt = try XCTUnwrap(notification["delivered_at"] as? Int)
            let shown = try await hub.request(.GET, "/v1/payment_links/\(link.id)")
            XCTAssertEqual(shown["delivered_at"] as? Int, deliveredAt)

            // Out of order and repeated: nothing moves back or changes.
            hub.clock.advance(5)
            for status in ["sent", "delivered", "queued"] {
                let late = try await report(hub, ["MessageSid": sid, "MessageStatus": status])
                XCTAssertEqual(late["received"] as? String, "ignored", status)
            }
            notification = try await smsNotification(hub, link: link.id)
            XCTAssertEqual(notification["delivery_status"] as? String, "delivered")
            XCTAssertEqual(notification["delivered_at"] as? Int, deliveredAt)

            let unknown = try await report(hub, ["MessageSid": "SM" + String(repeating: "0", count: 32), "MessageStatus": "delivered"])
            XCTAssertEqual(unknown["received"] as? String, "unknown_object")
        }
    }

    func testAnUndeliveredReportKeepsTheErrorCodeAndTheLinkUndelivered() async throws {
        try await withEachDatabase(environment: Self.twilio) { hub in
            let link = try await hub.request(
                .POST, "/v1/payment_links", json: ["amount": 500, "currency": "EUR", "send": "sms", "customer": ["phone": "+39 333 1234567"]])
            try await hub.scheduler.runDue([.notificationSend])
            let sid = try XCTUnwrap(hub.sms.sent.first?.messageID)
            let failed = try await report(hub, ["MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "30003"])
            XCTAssertEqual(failed["received"] as? String, "applied")
            let notification = try await smsNotification(hub, link: link.id)
            XCTAssertEqual(notification["delivery_status"] as? String, "undelivered")
            XCTAssertEqual(notification["delivery_error"] as? String, "30003")
            let shown = try await hub.request(.GET, "/v1/payment_links/\(link.id)")
            XCTAssertTrue(shown["delivered_at"] is NSNull, shown.text)
        }
    }

    func testForgedMalformedAndUnconfiguredReportsChangeNothing() async throws {
        try await withEachDatabase(environment: Self.twilio) { hub in
            let link = try await hub.request(
                .POST, "/v1/payment_links", json: ["amount": 500, "currency": "EUR", "send": "sms", "customer": ["phone": "+39 333 1234567"]])
            try await hub.scheduler.runDue([.notificationSend])
            let sid = try XCTUnwrap(hub.sms.sent.first?.messageID)
            let form = ["MessageSid": sid, "MessageStatus": "delivered"]

            let forged = try await report(hub, form, token: "not-the-token")
            XCTAssertEqual(forged.status, .badRequest)
            XCTAssertEqual(forged.errorCode, "webhook_invalid")
            let unsigned = try await hub.request(
                .POST, TwilioStatusCallback.path, raw: Self.encode(form), key: "", headers: [("Content-Type", "application/x-www-form-urlencoded")])
            XCTAssertEqual(unsigned.errorCode, "webhook_invalid")
            // A valid signature over changed fields is a forgery too.
            let signature = TwilioStatusCallback.signature(url: Self.callbackURL, parameters: form.map { ($0.key, $0.value) }, authToken: Self.authToken)
            let tampered = try await hub.request(
                .POST, TwilioStatusCallback.path, raw: Self.encode(["MessageSid": sid, "MessageStatus": "read"]), key: "",
                headers: [("Content-Type", "application/x-www-form-urlencoded"), ("X-Twilio-Signature", signature)])
            XCTAssertEqual(tampered.errorCode, "webhook_invalid")
            let json = try await hub.request(.POST, TwilioStatusCallback.path, json: form, key: "")
            XCTAssertEqual(json.errorCode, "content_type_unsupported")
            for hostile in [["MessageSid": "SM'; DROP TABLE notifications;--", "MessageStatus": "delivered"], ["MessageSid": sid, "MessageStatus": "teleported"], ["MessageStatus": "delivered"]] {
                let refused = try await report(hub, hostile)
                XCTAssertEqual(refused.errorCode, "parameter_invalid", "\(hostile)")
            }
            let notification = try await smsNotification(hub, link: link.id)
            XCTAssertTrue(notification["delivery_status"] is NSNull)
        }
        try await withEachDatabase { hub in
            let unconfigured = try await report(hub, ["MessageSid": "SM" + String(repeating: "1", count: 32), "MessageStatus": "delivered"])
            XCTAssertEqual(unconfigured.status, .notFound)
        }
    }

    // MARK: - Helpers

    private func report(_ hub: TestHub, _ form: [String: String], token: String = authToken) async throws -> TestHub.Reply {
        let signature = TwilioStatusCallback.signature(url: Self.callbackURL, parameters: form.map { ($0.key, $0.value) }, authToken: token)
        return try await hub.request(
            .POST, TwilioStatusCallback.path, raw: Self.encode(form), key: "",
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("X-Twilio-Signature", signature)])
    }

    private func smsNotification(_ hub: TestHub, link: String) async throws -> [String: Any] {
        let list = try await hub.request(.GET, "/v1/notifications?payment_link=\(link)")
        let data = try XCTUnwrap(list["data"] as? [[String: Any]], list.text)
        return try XCTUnwrap(data.first { $0["channel"] as? String == "sms" }, list.text)
    }

    private static func encode(_ form: [String: String]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return form.sorted { $0.key < $1.key }
            .map { "\($0.key.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&")
    }
}
