import Foundation
import NIOConcurrencyHelpers
import PayHubCore
import PayHubMail
@testable import PayHubServer
import SQLKit
import XCTVapor

/// The notification outbox: written with the change that causes it, sent by its job through the mail transport or
/// SMS gateway, retried with backoff, never sent twice, logged per attempt.
final class NotificationTests: XCTestCase {
    // MARK: - Outbox

    func testANotificationExistsOnlyIfItsTransactionCommits() async throws {
        try await withEachDatabase { hub in
            struct RolledBack: Error {}
            do {
                try await hub.context.transactor.writeSQL(on: hub.app.db) { tx in
                    _ = try await hub.outbox.enqueue(Self.request(), in: hub.scope, on: tx)
                    throw RolledBack()
                }
                XCTFail("the transaction should have thrown")
            } catch is RolledBack {}
            let none = try await hub.request(.GET, "/v1/notifications")
            XCTAssertEqual((none["data"] as? [Any])?.count, 0)
            let runs = try await hub.scheduler.runDue([.notificationSend])
            XCTAssertEqual(runs, 0, "no job either")
            XCTAssertTrue(hub.mail.sent.isEmpty)

            let record = try await hub.enqueue(Self.request())
            XCTAssertTrue(record.id.rawValue.hasPrefix("ntf_"))
            let listed = try await hub.request(.GET, "/v1/notifications")
            let data = try XCTUnwrap(listed["data"] as? [[String: Any]])
            XCTAssertEqual(data.map { $0["id"] as? String }, [record.id.rawValue])
            XCTAssertEqual(data.first?["status"] as? String, "queued")
            XCTAssertEqual(data.first?["subject"] as? String, "Payment received: €12.50 to Test Shop", "rendered when enqueued")
        }
    }

    func testTheJobSendsTheEmailOnceAndLogsTheAttempt() async throws {
        try await withEachDatabase { hub in
            let record = try await hub.enqueue(Self.request(variables: ["amount": "€12.50", "customer_name": "Zoë"]))
            let runs = try await hub.scheduler.runDue([.notificationSend])
            XCTAssertEqual(runs, 1)
            let runs2 = try await hub.scheduler.runDue([.notificationSend])
            XCTAssertEqual(runs2, 0)
            let sent = try XCTUnwrap(hub.mail.sent.first)
            XCTAssertEqual(hub.mail.sent.count, 1)
            XCTAssertEqual(sent.message.from, MailAddress("payhub@localhost", name: "Test Shop"), "the configured sender, the merchant's name")
            XCTAssertEqual(sent.message.to, [MailAddress("ada@example.com")])
            XCTAssertEqual(sent.message.subject, "Payment received: €12.50 to Test Shop")
            XCTAssertTrue(sent.message.textBody.contains("Hello Zoë,"), sent.message.textBody)
            XCTAssertTrue(sent.message.htmlBody?.contains("<p>Hello Zoë,</p>") == true)
            XCTAssertTrue(sent.rendered.text.contains("Content-Type: multipart/alternative"))
            XCTAssertTrue(sent.rendered.text.contains("X-PayHub-Notification: \(record.id)"))

            let shown = try await hub.request(.GET, "/v1/notifications/\(record.id)")
            XCTAssertEqual(shown["status"] as? String, "sent")
            XCTAssertEqual(shown["sent_at"] as? Int, Int(hub.clock.now().timeIntervalSince1970))
            XCTAssertEqual(shown["gateway_message_id"] as? String, sent.rendered.messageID)
            XCTAssertEqual(shown["attempt_count"] as? Int, 1)
            let attempts = try XCTUnwrap(shown["attempts"] as? [[String: Any]])
            XCTAssertEqual(attempts.count, 1)
            XCTAssertEqual(attempts.first?["outcome"] as? String, "sent")
            XCTAssertEqual(attempts.first?["gateway_message_id"] as? String, sent.rendered.messageID)
            let events = try await hub.storedEvents(objectID: record.id.rawValue).map(\.type)
            XCTAssertEqual(events, ["notification.sent"])

            // A job run again (its lease ran out, a retry by hand) finds it sent and sends nothing.
            let step = try await hub.sender().send(record.id)
            XCTAssertEqual(step, .done)
            XCTAssertEqual(hub.mail.sent.count, 1)
        }
    }

    func testATransientFailureIsRetriedAfterOneFiveThirtyMinutesTwoAndSixHoursThenFails() async throws {
        try await withEachDatabase { hub in
            let failing = ScriptedMailTransport(failures: .max, error: SMTPError.connectionFailed(host: "smtp.test", port: 587, reason: "refused"))
            let scheduler = hub.notificationScheduler(mail: failing)
            let record = try await hub.enqueue(Self.request())
            var waited: [TimeInterval] = []
            for attempt in 1...6 {
                let runs = try await scheduler.runDue([.notificationSend])
                XCTAssertEqual(runs, 1, "attempt \(attempt)")
                let shown = try await hub.request(.GET, "/v1/notifications/\(record.id)")
                XCTAssertEqual(shown["attempt_count"] as? Int, attempt)
                XCTAssertTrue((shown["last_error"] as? String)?.contains("smtp.test:587") == true)
                guard attempt < 6 else {
                    XCTAssertEqual(shown["status"] as? String, "failed")
                    XCTAssertTrue(shown.json["next_attempt_at"] is NSNull)
                    break
                }
                XCTAssertEqual(shown["status"] as? String, "queued")
                let next = try XCTUnwrap(shown["next_attempt_at"] as? Int)
                let delay = TimeInterval(next) - hub.clock.now().timeIntervalSince1970
                waited.append(delay)
                hub.clock.advance(delay - 1)
                let runs2 = try await scheduler.runDue([.notificationSend])
                XCTAssertEqual(runs2, 0, "not before its time")
                hub.clock.advance(1)
            }
            XCTAssertEqual(waited, [60, 300, 1800, 7200, 21600])
            XCTAssertEqual(failing.calls, 6)
            hub.clock.advance(86_400)
            let runs3 = try await scheduler.runDue([.notificationSend])
            XCTAssertEqual(runs3, 0, "failed for good: no job left")
            let shown = try await hub.request(.GET, "/v1/notifications/\(record.id)")
            let outcomes = (shown["attempts"] as? [[String: Any]])?.map { $0["outcome"] as? String }
            XCTAssertEqual(outcomes, ["retry", "retry", "retry", "retry", "retry", "failed"])
            let events = try await hub.storedEvents(objectID: record.id.rawValue).map(\.type)
            XCTAssertEqual(events, ["notification.failed"])
        }
    }

    func testASendThatWorksOnRetryIsSentOnce() async throws {
        try await withEachDatabase { hub in
            let flaky = ScriptedMailTransport(failures: 1, error: SMTPError.messageRefused(SMTPReply(code: 451, lines: ["try later"])))
            let scheduler = hub.notificationScheduler(mail: flaky)
            let record = try await hub.enqueue(Self.request())
            try await scheduler.runDue([.notificationSend])
            hub.clock.advance(60)
            try await scheduler.runDue([.notificationSend])
            let shown = try await hub.request(.GET, "/v1/notifications/\(record.id)")
            XCTAssertEqual(shown["status"] as? String, "sent")
            XCTAssertEqual((shown["attempts"] as? [[String: Any]])?.map { $0["outcome"] as? String }, ["retry", "sent"])
            XCTAssertEqual(flaky.delivered, 1)
        }
    }

    func testAPermanentRefusalFailsWithoutRetrying() async throws {
        try await withEachDatabase { hub in
            let refusing = ScriptedMailTransport(
                failures: .max, error: SMTPError.recipientRefused(address: "ada@example.com", reply: SMTPReply(code: 550, lines: ["no such user"])))
            let scheduler = hub.notificationScheduler(mail: refusing)
            let record = try await hub.enqueue(Self.request())
            try await scheduler.runDue([.notificationSend])
            hub.clock.advance(86_400)
            try await scheduler.runDue([.notificationSend])
            XCTAssertEqual(refusing.calls, 1)
            let shown = try await hub.request(.GET, "/v1/notifications/\(record.id)")
            XCTAssertEqual(shown["status"] as? String, "failed")
            XCTAssertTrue((shown["last_error"] as? String)?.contains("550") == true)

            let sms = try await hub.enqueue(Self.request(channel: .sms, recipient: "+39 333 1234567"))
            let gateway = hub.notificationScheduler(sms: RefusingSMSGateway(error: .refused(httpStatus: 400, code: 21211, message: "Invalid 'To' Phone Number", moreInfo: nil)))
            try await gateway.runDue([.notificationSend])
            let failed = try await hub.request(.GET, "/v1/notifications/\(sms.id)")
            XCTAssertEqual(failed["status"] as? String, "failed", "a Twilio 4xx is permanent")
            XCTAssertEqual(failed["recipient"] as? String, "+393331234567")
        }
    }

    func testTwoSendersOfOneNotificationAtOnceSendItOnce() async throws {
        try await withEachDatabase { hub in
            let slow = ScriptedMailTransport(failures: 0, error: nil, holdFirst: true)
            let record = try await hub.enqueue(Self.request())
            let first = Task { try await hub.sender(mail: slow).send(record.id) }
            while slow.calls == 0 { try await Task.sleep(nanoseconds: 5_000_000) }
            // The first holds the claim while its transport works: the second does not send.
            let second = try await hub.sender(mail: slow).send(record.id)
            guard case .checkAgain(let at) = second else { return XCTFail("\(second)") }
            XCTAssertEqual(at, hub.clock.now().addingTimeInterval(NotificationSender.claimLease))
            slow.release()
            let outcome = try await first.value
            XCTAssertEqual(outcome, .done)
            XCTAssertEqual(slow.delivered, 1)
            let step = try await hub.sender(mail: slow).send(record.id)
            XCTAssertEqual(step, .done)
            XCTAssertEqual(slow.delivered, 1)
        }
    }

    /// Two processes on one PostgreSQL run their schedulers over the same due notifications.
    func testTwoProcessesSendEachDueNotificationOnce() async throws {
        guard case .some(.postgres(let adminURL)) = TestDatabase.all.last, TestDatabase.all.count == 2 else {
            throw XCTSkip("PAYHUB_TEST_POSTGRES_URL not set: the two-process race is skipped")
        }
        let first = try await TestHub.start(.postgres(adminURL: adminURL))
        let databaseName = String(URLComponents(string: first.context.config.databaseURL ?? "")?.path.dropFirst() ?? "")
        let second = try await TestHub.start(.postgres(adminURL: adminURL), databaseName: databaseName, migrate: false)
        do {
            var ids: [NotificationID] = []
            for index in 0..<20 {
                ids.append(try await first.enqueue(Self.request(recipient: "customer\(index)@example.com")).id)
            }
            let transports = (ScriptedMailTransport(failures: 0, error: nil), ScriptedMailTransport(failures: 0, error: nil))
            let schedulers = (first.notificationScheduler(mail: transports.0), second.notificationScheduler(mail: transports.1))
            async let one = schedulers.0.runDue([.notificationSend], limit: 3)
            async let two = schedulers.1.runDue([.notificationSend], limit: 3)
            _ = try await (one, two)
            // And the senders themselves, racing on every notification again: all are sent, none twice.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for id in ids {
                    group.addTask { _ = try await first.sender(mail: transports.0).send(id) }
                    group.addTask { _ = try await second.sender(mail: transports.1).send(id) }
                }
                try await group.waitForAll()
            }
            let recipients = (transports.0.recipients + transports.1.recipients).sorted()
            XCTAssertEqual(recipients, (0..<20).map { "customer\($0)@example.com" }.sorted())
            let statuses = try await first.context.transactor.reader(first.app.db).raw("SELECT status FROM notifications").all().map { try $0.decode(column: "status", as: String.self) }
            XCTAssertEqual(Set(statuses), ["sent"])
        } catch {
            XCTFail("\(error)")
        }
        try await second.stop()
        try await first.stop()
    }

    func testSMSGoesThroughTheGatewayWithItsMessageID() async throws {
        try await withEachDatabase { hub in
            let record = try await hub.enqueue(Self.request(channel: .sms, recipient: "+15551234567", locale: .de))
            try await hub.scheduler.runDue([.notificationSend])
            let sent = try XCTUnwrap(hub.sms.sent.first)
            XCTAssertEqual(sent.to, "+15551234567")
            XCTAssertEqual(sent.text, "Test Shop: Wir haben Ihre Zahlung über €12.50 erhalten. Vielen Dank! Ref. pi_test")
            let shown = try await hub.request(.GET, "/v1/notifications/\(record.id)")
            XCTAssertEqual(shown["gateway_message_id"] as? String, sent.messageID)
            XCTAssertTrue(shown.json["subject"] is NSNull)
            XCTAssertTrue(shown.json["html"] is NSNull)
        }
    }

    func testEnqueueRefusesBadRecipientsUnknownVariablesAndLinkIDs() async throws {
        try await withEachDatabase { hub in
            let bad: [(NotificationRequest, String)] = [
                (Self.request(recipient: "not an address"), "email_invalid"),
                (Self.request(recipient: "a@b.c\r\nBcc: x@y.z"), "email_invalid"),
                (Self.request(channel: .sms, recipient: "3331234567"), "phone_invalid"),
                (Self.request(variables: ["link_url": "https://x"]), "parameter_invalid"),
                (NotificationRequest(event: .paymentLink, channel: .email, recipient: "a@example.com", locale: .en, variables: [:], paymentLinkID: "cs_123"), "parameter_invalid"),
            ]
            for (request, code) in bad {
                do {
                    _ = try await hub.enqueue(request)
                    XCTFail("accepted \(request)")
                } catch let error as ServiceError {
                    XCTAssertEqual(error.code, code)
                }
            }
        }
    }

    // MARK: - Automatic notifications

    func testASucceededPaymentEmailsItsCustomerInTheirLanguage() async throws {
        try await withEachDatabase { hub in
            let intent = try await hub.payWithCustomer(["name": "Giulia", "email": "giulia@example.com", "locale": "it-IT"], amount: 1250)
            let listed = try await hub.request(.GET, "/v1/notifications?payment_intent=\(intent)")
            let data = try XCTUnwrap(listed["data"] as? [[String: Any]])
            XCTAssertEqual(data.count, 1)
            XCTAssertEqual(data.first?["event"] as? String, "payment_succeeded")
            XCTAssertEqual(data.first?["locale"] as? String, "it")
            XCTAssertEqual(data.first?["payment_intent"] as? String, intent)
            try await hub.scheduler.runDue([.notificationSend])
            let mail = try XCTUnwrap(hub.mail.sent.first?.message)
            XCTAssertEqual(mail.to, [MailAddress("giulia@example.com")])
            XCTAssertEqual(mail.subject, "Pagamento ricevuto: 12,50\u{00A0}€ a Test Shop")
            XCTAssertTrue(mail.textBody.hasPrefix("Gentile Giulia,"), mail.textBody)
            XCTAssertTrue(mail.textBody.contains("Riferimento: \(intent)"))
        }
    }

    func testAHostileCustomerNameIsEscapedInTheHTMLBodyOnly() async throws {
        try await withEachDatabase { hub in
            let name = "<script>alert(1)</script>"
            let intent = try await hub.payWithCustomer(["name": name, "email": "eve@example.com"])
            let listed = try await hub.request(.GET, "/v1/notifications?payment_intent=\(intent)")
            let data = try XCTUnwrap(listed["data"] as? [[String: Any]])
            let html = try XCTUnwrap(data.first?["html"] as? String)
            XCTAssertTrue(html.contains("<p>Hello &lt;script&gt;alert(1)&lt;/script&gt;,</p>"), html)
            XCTAssertFalse(html.contains("<script>"))
            XCTAssertTrue((data.first?["text"] as? String)?.contains("Hello \(name),") == true)
        }
    }

    func testADeclinedPaymentTextsACustomerWithOnlyAPhone() async throws {
        try await withEachDatabase { hub in
            let intent = try await hub.payWithCustomer(["phone": "+33 6 12 34 56 78", "locale": "fr"], token: "tok_declined", expect: .paymentRequired)
            try await hub.scheduler.runDue([.notificationSend])
            let sent = try XCTUnwrap(hub.sms.sent.first)
            XCTAssertEqual(sent.to, "+33612345678")
            XCTAssertTrue(sent.text.hasPrefix("Test Shop : votre paiement de 10,00\u{00A0}€ n'a pas abouti."), sent.text)
            XCTAssertTrue(sent.text.hasSuffix(intent))
            XCTAssertTrue(hub.mail.sent.isEmpty)
        }
    }

    func testNoContactNoNotificationAndAnIntentWithoutCustomerNone() async throws {
        try await withEachDatabase { hub in
            _ = try await hub.payWithCustomer(["name": "Nobody", "phone": "0612345678"])
            _ = try await hub.pay()
            let listed = try await hub.request(.GET, "/v1/notifications")
            XCTAssertEqual((listed["data"] as? [Any])?.count, 0, "a phone without its country code cannot take an SMS")
        }
    }

    func testRefundsNotifyPartialThenTotal() async throws {
        try await withEachDatabase { hub in
            let intent = try await hub.payWithCustomer(["email": "ada@example.com", "locale": "de"], amount: 1000)
            try await hub.scheduler.runDue([.notificationSend])
            for amount in [300, 700] {
                let refund = try await hub.request(.POST, "/v1/refunds", json: ["payment_intent": intent, "amount": amount])
                XCTAssertEqual(refund.status, .created, refund.text)
                hub.clock.advance(5)
                try await hub.simulator.runOnce()
                try await hub.scheduler.runDue([.notificationSend])
            }
            let subjects = hub.mail.sent.map(\.message.subject)
            XCTAssertEqual(subjects, [
                "Zahlung erhalten: 10,00\u{00A0}€ an Test Shop",
                "Teilerstattung über 3,00\u{00A0}€ von Test Shop",
                "Erstattung über 7,00\u{00A0}€ von Test Shop",
            ])
            XCTAssertTrue(hub.mail.sent[1].message.textBody.contains("Insgesamt wurden Ihnen bisher 3,00\u{00A0}€ erstattet."))
        }
    }

    func testAMerchantSwitchesAnEventOffWithADisabledOverride() async throws {
        try await withEachDatabase { hub in
            let template = try await hub.request(.GET, "/v1/notification_templates/payment_succeeded/en")
            var body = ["subject": template["subject"]!, "text": template["text"]!, "html": template["html"]!, "sms": template["sms"]!]
            body["enabled"] = false
            let saved = try await hub.request(.PUT, "/v1/notification_templates/payment_succeeded/en", json: body)
            XCTAssertEqual(saved.status, .ok, saved.text)
            XCTAssertEqual(saved["enabled"] as? Bool, false)
            let intent = try await hub.payWithCustomer(["email": "ada@example.com"])
            let reply = try await hub.request(.GET, "/v1/notifications")
            XCTAssertEqual((reply["data"] as? [Any])?.count, 0)
            // Still sent when asked for explicitly.
            let sent = try await hub.request(.POST, "/v1/notifications", json: ["event": "payment_succeeded", "payment_intent": intent])
            XCTAssertEqual(sent.status, .created, sent.text)
        }
    }

    // MARK: - API

    func testPostSendsATemplateToTheIntentsCustomerIdempotently() async throws {
        try await withEachDatabase { hub in
            let intent = try await hub.payWithCustomer(["email": "ada@example.com", "phone": "+15551234567"])
            let key = [("Idempotency-Key", "resend-1")]
            let sent = try await hub.request(.POST, "/v1/notifications", json: ["event": "payment_succeeded", "payment_intent": intent, "channel": "sms"], headers: key)
            XCTAssertEqual(sent.status, .created, sent.text)
            XCTAssertEqual(sent["channel"] as? String, "sms")
            XCTAssertEqual(sent["recipient"] as? String, "+15551234567")
            let again = try await hub.request(.POST, "/v1/notifications", json: ["event": "payment_succeeded", "payment_intent": intent, "channel": "sms"], headers: key)
            XCTAssertEqual(again.id, sent.id)
            XCTAssertEqual(again.headers.first(name: "Idempotent-Replayed"), "true")
            let all = try await hub.request(.GET, "/v1/notifications?payment_intent=\(intent)")
            XCTAssertEqual((all["data"] as? [Any])?.count, 2, "the automatic email and the one SMS")
            let sms = try await hub.request(.GET, "/v1/notifications?payment_intent=\(intent)&status=queued&limit=1")
            XCTAssertEqual((sms["data"] as? [Any])?.count, 1)
            XCTAssertEqual(sms["has_more"] as? Bool, true)

            let refused: [([String: Any], HTTPResponseStatus, String?)] = [
                (["event": "refund_total", "payment_intent": intent], .conflict, nil),
                (["event": "payment_link", "payment_intent": intent], .badRequest, "event"),
                (["event": "nope", "payment_intent": intent], .badRequest, "event"),
                (["event": "payment_succeeded", "payment_intent": intent, "channel": "fax"], .badRequest, "channel"),
                (["event": "payment_succeeded", "payment_intent": "pi_missing"], .notFound, "payment_intent"),
                (["event": "payment_succeeded"], .badRequest, "payment_intent"),
                (["event": "payment_succeeded", "payment_intent": intent, "extra": 1], .badRequest, "extra"),
            ]
            for (body, status, param) in refused {
                let reply = try await hub.request(.POST, "/v1/notifications", json: body)
                XCTAssertEqual(reply.status, status, "\(body): \(reply.text)")
                if let param { XCTAssertEqual(reply.errorParam, param, reply.text) }
            }
            let noPhone = try await hub.payWithCustomer(["email": "b@example.com"])
            let missing = try await hub.request(.POST, "/v1/notifications", json: ["event": "payment_succeeded", "payment_intent": noPhone, "channel": "sms"])
            XCTAssertEqual(missing.errorCode, "customer_contact_missing")
            let badFilter = try await hub.request(.GET, "/v1/notifications?payment_link=pi_x")
            XCTAssertEqual(badFilter.errorParam, "payment_link")
            let badStatus = try await hub.request(.GET, "/v1/notifications?status=lost")
            XCTAssertEqual(badStatus.errorParam, "status")
            let publishable = try await hub.request(.GET, "/v1/notifications", key: hub.merchant.publishableKeyTest)
            XCTAssertEqual(publishable.status, .forbidden)
        }
    }

    func testAnotherMerchantsNotificationsAndTemplatesAreInvisible() async throws {
        try await withEachDatabase { hub in
            let mine = try await hub.enqueue(Self.request())
            let other = try await MerchantService(context: hub.context, db: hub.app.db).create(name: "Other Shop")
            let reply = try await hub.request(.GET, "/v1/notifications/\(mine.id)", key: other.secretKeyTest)
            XCTAssertEqual(reply.status, .notFound)
            let reply2 = try await hub.request(.GET, "/v1/notifications", key: other.secretKeyTest)
            XCTAssertEqual((reply2["data"] as? [Any])?.count, 0)
            let reply3 = try await hub.request(.GET, "/v1/notifications/\(mine.id)", key: hub.merchant.secretKeyLive)
            XCTAssertEqual(reply3.status, .notFound, "nor the live mode")

            let saved = try await hub.request(.PUT, "/v1/notification_templates/refund_total/fr", json: [
                "subject": "Remboursé", "text": "Remboursé {{refund_amount}}", "html": "<p>{{refund_amount}}</p>", "sms": "{{refund_amount}}",
            ])
            XCTAssertEqual(saved["source"] as? String, "merchant")
            let theirs = try await hub.request(.GET, "/v1/notification_templates/refund_total/fr", key: other.secretKeyTest)
            XCTAssertEqual(theirs["source"] as? String, "default")
            XCTAssertEqual(theirs["subject"] as? String, "Remboursement de {{refund_amount}} par {{merchant_name}}")
        }
    }

    // MARK: - Templates

    func testEveryEventHasADefaultInEveryLanguage() async throws {
        let catalog = try NotificationTemplateCatalog.bundled()
        let values = Dictionary(uniqueKeysWithValues: Set(NotificationEvent.allCases.flatMap(\.variables)).map { ($0, "VALUE_\($0)") })
        for event in NotificationEvent.allCases {
            var texts: Set<String> = []
            for locale in CustomerLocale.allCases {
                let template = catalog.template(event, locale)
                XCTAssertNoThrow(try template.validated(for: event), "\(event) \(locale)")
                let rendered = catalog.parsed(event, locale).render(values.filter { event.variables.contains($0.key) })
                XCTAssertTrue(rendered.text.contains("VALUE_amount"), "\(event) \(locale) shows the amount")
                XCTAssertTrue(rendered.sms.contains("VALUE_merchant_name"), "\(event) \(locale) names the shop")
                XCTAssertFalse(rendered.text.contains("{{") || rendered.html.contains("{{") || rendered.sms.contains("{{"))
                if event == .paymentLink || event == .paymentLinkReminder {
                    XCTAssertTrue(rendered.sms.contains("VALUE_link_url"), "\(event) \(locale)")
                    XCTAssertTrue(rendered.html.contains("href=\"VALUE_link_url\""), "\(event) \(locale)")
                }
                XCTAssertTrue(rendered.html.contains("<html lang=\"\(locale.rawValue)\">"))
                texts.insert(template.subject)
            }
            XCTAssertEqual(texts.count, CustomerLocale.allCases.count, "\(event): five languages, five different subjects")
        }
    }

    func testTheCatalogRefusesAMissingOrWrongDefault() throws {
        let good = try NotificationTemplateCatalog.bundled()
        var sources: [CustomerLocale: [String: NotificationTemplate]] = [:]
        for locale in CustomerLocale.allCases {
            sources[locale] = Dictionary(uniqueKeysWithValues: NotificationEvent.allCases.map { ($0.rawValue, good.template($0, locale)) })
        }
        XCTAssertNoThrow(try NotificationTemplateCatalog(sources))
        var missing = sources
        missing[.es]?["refund_total"] = nil
        XCTAssertThrowsError(try NotificationTemplateCatalog(missing))
        var unknown = sources
        unknown[.de]?["payment_failed"]?.sms = "{{link_url}}"
        XCTAssertThrowsError(try NotificationTemplateCatalog(unknown))
    }

    func testOverrideGetPutDeleteAndList() async throws {
        try await withEachDatabase { hub in
            let path = "/v1/notification_templates/payment_link/it"
            let original = try await hub.request(.GET, path)
            XCTAssertEqual(original["source"] as? String, "default")
            XCTAssertEqual(original["object"] as? String, "notification_template")
            XCTAssertTrue((original["variables"] as? [String])?.contains("link_url") == true)
            let body: [String: Any] = [
                "subject": "Paga {{amount}}", "text": "Ciao{{#customer_name}} {{customer_name}}{{/customer_name}}: {{link_url}}",
                "html": "<p><a href=\"{{link_url}}\">Paga</a></p>", "sms": "Paga: {{link_url}}",
            ]
            let saved = try await hub.request(.PUT, path, json: body)
            XCTAssertEqual(saved.status, .ok, saved.text)
            XCTAssertEqual(saved["source"] as? String, "merchant")
            XCTAssertEqual(saved["enabled"] as? Bool, true)
            let reply = try await hub.request(.GET, path)
            XCTAssertEqual(reply["subject"] as? String, "Paga {{amount}}")

            let list = try await hub.request(.GET, "/v1/notification_templates")
            let all = try XCTUnwrap(list["data"] as? [[String: Any]])
            XCTAssertEqual(all.count, NotificationEvent.allCases.count * CustomerLocale.allCases.count)
            XCTAssertEqual(all.filter { $0["source"] as? String == "merchant" }.map { "\($0["event"]!)/\($0["locale"]!)" }, ["payment_link/it"])

            let record = try await hub.enqueue(NotificationRequest(
                event: .paymentLink, channel: .email, recipient: "a@example.com", locale: .it,
                variables: ["link_url": "https://pay.test/plink_1", "amount": "5,00 €"], paymentLinkID: "plink_1"))
            XCTAssertEqual(record.subject, "Paga 5,00 €")
            XCTAssertEqual(record.text, "Ciao: https://pay.test/plink_1")
            let byLink = try await hub.request(.GET, "/v1/notifications?payment_link=plink_1")
            XCTAssertEqual((byLink["data"] as? [[String: Any]])?.first?["payment_link"] as? String, "plink_1")

            let deleted = try await hub.request(.DELETE, path)
            XCTAssertEqual(deleted["source"] as? String, "default")
            let reply2 = try await hub.request(.GET, path)
            XCTAssertEqual(reply2["subject"] as? String, original["subject"] as? String)
            let reply3 = try await hub.request(.DELETE, path)
            XCTAssertEqual(reply3.status, .ok, "deleting again: still the default")
        }
    }

    func testAnOverrideWithAnUnknownVariableOrMalformedTagIsRefusedNamingTheField() async throws {
        try await withEachDatabase { hub in
            let valid: [String: Any] = ["subject": "Paid", "text": "Paid {{amount}}", "html": "<p>{{amount}}</p>", "sms": "{{amount}}"]
            let cases: [(String, Any, String)] = [
                ("html", "<p>{{link_url}}</p>", "html"), ("sms", "{{amount", "sms"), ("text", "{{#amount}}x", "text"),
                ("subject", "", "subject"), ("subject", "a\nb", "subject"), ("sms", 5, "sms"),
            ]
            for (field, value, param) in cases {
                var body = valid
                body[field] = value
                let reply = try await hub.request(.PUT, "/v1/notification_templates/payment_succeeded/en", json: body)
                XCTAssertEqual(reply.status, .badRequest, "\(field)=\(value): \(reply.text)")
                XCTAssertEqual(reply.errorParam, param, reply.text)
            }
            var missing = valid
            missing["html"] = nil
            let reply = try await hub.request(.PUT, "/v1/notification_templates/payment_succeeded/en", json: missing)
            XCTAssertEqual(reply.errorParam, "html")
            let reply2 = try await hub.request(.PUT, "/v1/notification_templates/nope/en", json: valid)
            XCTAssertEqual(reply2.status, .notFound)
            let reply3 = try await hub.request(.GET, "/v1/notification_templates/payment_succeeded/pt")
            XCTAssertEqual(reply3.status, .notFound)
            let reply4 = try await hub.request(.GET, "/v1/notification_templates/payment_succeeded/en")
            XCTAssertEqual(reply4["source"] as? String, "default")
        }
    }

    // MARK: - Demo outbox

    func testTheDemoOutboxPageListsAndShowsTestModeEmails() async throws {
        try await withEachDatabase { hub in
            guard case .outbox(let directory) = hub.context.config.mail.delivery else { return XCTFail("no outbox configured") }
            let files = DirectoryMailOutbox(renderer: NotificationTransports.renderer(config: hub.context.config, clock: hub.clock, ids: hub.context.ids), directory: URL(fileURLWithPath: directory))
            let scheduler = hub.notificationScheduler(mail: files)
            _ = try await hub.enqueue(NotificationRequest(
                event: .paymentLink, channel: .email, recipient: "ada@example.com", locale: .fr,
                variables: ["link_url": "http://payhub.test/pay/plink_abc", "amount": "5,00 €", "customer_name": "<b>Zoé</b>"]))
            try await scheduler.runDue([.notificationSend])
            hub.clock.advance(1)
            _ = try await hub.enqueue(Self.request(), in: TenantScope(merchantID: hub.merchant.id, livemode: true))
            try await scheduler.runDue([.notificationSend])

            let list = try await hub.page("/demo/outbox")
            XCTAssertEqual(list.status, .ok)
            XCTAssertTrue(list.headers.first(name: "Content-Security-Policy")?.contains("default-src 'none'") == true, "\(list.headers)")
            XCTAssertTrue(list.body.contains("Demande de paiement de Test Shop"), list.body)
            XCTAssertFalse(list.body.contains("Payment received"), "live-mode mail is never shown")
            let file = try XCTUnwrap(list.body.firstMatch(of: /href="\/demo\/outbox\/([0-9]+-[A-Za-z0-9]+\.eml)"/)?.1)
            let shown = try await hub.page("/demo/outbox/\(file)")
            XCTAssertTrue(shown.body.contains("<a href=\"http://payhub.test/pay/plink_abc\">http://payhub.test/pay/plink_abc</a>"), shown.body)
            XCTAssertTrue(shown.body.contains("Bonjour &lt;b&gt;Zoé&lt;/b&gt;,"), shown.body)
            XCTAssertTrue(shown.body.contains("Test Shop &lt;payhub@localhost&gt;"), shown.body)
            for path in ["/demo/outbox/..%2F..%2Fetc%2Fpasswd", "/demo/outbox/1-missing.eml", "/demo/outbox/x.txt"] {
                let page = try await hub.page(path)
                XCTAssertEqual(page.status, .notFound, path)
            }
        }
    }

    func testTheDemoOutboxDoesNotExistWithSMTP() async throws {
        let hub = try await TestHub.start(.sqlite, environment: ["PAYHUB_SMTP_HOST": "smtp.example.com", "PAYHUB_MAIL_FROM": "shop@example.com"])
        do {
            let page = try await hub.page("/demo/outbox")
            XCTAssertEqual(page.status, .notFound)
        } catch {
            XCTFail("\(error)")
        }
        try await hub.stop()
    }

    func testTheOutboxReaderDecodesWhatTheRendererWrites() throws {
        let renderer = MailRenderer(domain: "payhub.test", now: { Date(timeIntervalSince1970: 1_800_000_000) }, uniqueToken: { "tok123" })
        let message = MailMessage(
            from: MailAddress("payhub@localhost", name: "Café Zoë"), to: [MailAddress("a@example.com")],
            subject: "Paiement reçu : 12,50 € — merci beaucoup pour votre confiance et à bientôt chez nous",
            textBody: "Ligne 1 é\n" + String(repeating: "long ", count: 300) + "\nfin = 1", htmlBody: "<p>x</p>",
            extraHeaders: [.init("X-PayHub-Livemode", "false")])
        let parsed = try XCTUnwrap(DemoOutbox.parse(try renderer.render(message).text, file: "1-tok123.eml"))
        XCTAssertEqual(parsed.subject, message.subject)
        XCTAssertEqual(parsed.from, "Café Zoë <payhub@localhost>")
        XCTAssertEqual(parsed.text, message.textBody)
        XCTAssertFalse(parsed.livemode)
        XCTAssertEqual(DemoOutboxController.segments("Pay: https://x.test/a?b=1. Done"), [
            .init(text: "Pay: "), .init(text: "https://x.test/a?b=1", url: "https://x.test/a?b=1"), .init(text: ". Done"),
        ])
        XCTAssertEqual(DemoOutboxController.segments("javascript:alert(1)"), [.init(text: "javascript:alert(1)")])
    }

    // MARK: - Helpers

    static func request(
        channel: NotificationChannel = .email, recipient: String = "ada@example.com", locale: CustomerLocale = .en,
        variables: [String: String] = ["amount": "€12.50", "payment_intent": "pi_test"]
    ) -> NotificationRequest {
        NotificationRequest(event: .paymentSucceeded, channel: channel, recipient: recipient, locale: locale, variables: variables)
    }
}

extension TestHub {
    var scope: TenantScope { TenantScope(merchantID: merchant.id, livemode: false) }
    var outbox: NotificationOutbox { NotificationOutbox(context: context) }

    func enqueue(_ request: NotificationRequest, in scope: TenantScope? = nil) async throws -> NotificationRecord {
        let (outbox, scope) = (self.outbox, scope ?? self.scope)
        return try await context.transactor.writeSQL(on: app.db) { tx in try await outbox.enqueue(request, in: scope, on: tx) }
    }

    func sender(mail: (any MailTransport)? = nil) -> NotificationSender {
        NotificationSender(context: context, db: app.db, logger: app.logger, mail: mail)
    }

    /// A scheduler that runs only the notification job, with these transports.
    func notificationScheduler(mail: (any MailTransport)? = nil, sms: (any SMSGateway)? = nil) -> JobScheduler {
        JobScheduler(
            context: context, db: app.db, logger: app.logger,
            handlers: [NotificationSendJob(context: context, db: app.db, logger: app.logger, mail: mail, sms: sms)], lanes: [])
    }

    /// Creates an intent with this customer and pays it with a sandbox token; returns the intent's id.
    func payWithCustomer(
        _ customer: [String: String], amount: Int = 1000, token: String = "tok_visa", expect: HTTPResponseStatus = .created
    ) async throws -> String {
        let intent = try await request(.POST, "/v1/payment_intents", json: ["amount": amount, "currency": "EUR", "customer": customer])
        XCTAssertEqual(intent.status, .created, intent.text)
        let paid = try await request(.POST, "/v1/payment_intents/\(intent.id)/payments", json: ["payment_method": ["type": "card", "token": token]])
        XCTAssertEqual(paid.status, expect, paid.text)
        return intent.id
    }

    struct Page {
        var status: HTTPResponseStatus
        var headers: HTTPHeaders
        var body: String
    }

    func page(_ path: String) async throws -> Page {
        let response = try await app.testable().performTest(request: TestingHTTPRequest(method: .GET, url: URI(path: path), headers: [:], body: ByteBuffer()))
        return Page(status: response.status, headers: response.headers, body: response.body.string)
    }
}

/// A mail transport that fails `failures` times with `error`, then delivers (optionally holding the first call
/// until `release()`).
final class ScriptedMailTransport: MailTransport, @unchecked Sendable {
    private struct State {
        var calls = 0
        var recipients: [String] = []
        var held: CheckedContinuation<Void, Never>?
        var released = false
    }

    private let state = NIOLockedValueBox(State())
    private let failures: Int
    private let error: (any Error)?
    private let holdFirst: Bool

    init(failures: Int, error: (any Error)?, holdFirst: Bool = false) {
        self.failures = failures
        self.error = error
        self.holdFirst = holdFirst
    }

    var calls: Int { state.withLockedValue { $0.calls } }
    var recipients: [String] { state.withLockedValue { $0.recipients } }
    var delivered: Int { recipients.count }

    func release() {
        state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            state.released = true
            defer { state.held = nil }
            return state.held
        }?.resume()
    }

    func send(_ message: MailMessage) async throws -> MailReceipt {
        let call = state.withLockedValue { state in state.calls += 1; return state.calls }
        if holdFirst, call == 1 {
            await withCheckedContinuation { continuation in
                let now = state.withLockedValue { state -> Bool in
                    if state.released { return true }
                    state.held = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        }
        if call <= failures, let error { throw error }
        state.withLockedValue { $0.recipients.append(message.to.map(\.address).joined(separator: ",")) }
        return MailReceipt(messageID: "<scripted\(call)@test>")
    }
}

struct RefusingSMSGateway: SMSGateway {
    var error: SMSGatewayError
    func send(to: String, text: String) async throws -> SMSReceipt { throw error }
}
