import Fluent
import Foundation
import PayHubConnectors
import PayHubCore
@testable import PayHubServer
import SQLKit
import XCTVapor

/// Regression tests for the money-losing defects of issue 6, section 1, against a provider whose answers each
/// test scripts. Each runs on SQLite and, when available, PostgreSQL.
final class EngineDefectTests: XCTestCase {
    struct Scripted {
        var hub: TestHub
        var provider: ScriptedConnector
        var account: String

        /// An intent paid (or attempted) through the scripted provider.
        func attempt(amount: Int = 1000, capture: String = "automatic", extra: [String: Any] = [:]) async throws -> (intent: String, reply: TestHub.Reply) {
            var body: [String: Any] = ["amount": amount, "currency": "EUR", "capture_method": capture]
            for (key, value) in extra { body[key] = value }
            let intent = try await hub.request(.POST, "/v1/payment_intents", json: body)
            XCTAssertEqual(intent.status, .created, intent.text)
            let reply = try await hub.request(
                .POST, "/v1/payment_intents/\(intent.id)/payments",
                json: ["payment_method": ["type": "card", "token": "tok_scripted"], "provider": ScriptedConnector.providerName])
            return (intent.id, reply)
        }

        /// The provider's webhook about `reference`.
        func webhook(reference: String, status: String, amountReceived: Int? = nil) async throws {
            var body: [String: Any] = ["reference": reference, "status": status]
            if let amountReceived { body["amount_received"] = amountReceived }
            let reply = try await hub.request(
                .POST, "/v1/providers/\(ScriptedConnector.providerName)/webhooks/\(account)", json: body, key: "")
            XCTAssertEqual(reply.status, .ok, reply.text)
        }

        func intent(_ id: String) async throws -> TestHub.Reply { try await hub.request(.GET, "/v1/payment_intents/\(id)") }

        func eventTypes(of id: String) async throws -> [String] {
            let events = try await hub.request(.GET, "/v1/events?object_id=\(id)&limit=100")
            return ((events["data"] as? [[String: Any]]) ?? []).compactMap { $0["type"] as? String }
        }

        func attemptRow(of intentID: String) async throws -> PaymentAttemptModel {
            let found = try await PaymentAttemptModel.query(on: hub.app.db).filter(\.$paymentIntentID == intentID).sort(\.$createdAt).first()
            return try XCTUnwrap(found)
        }
    }

    func withScripted(
        environment: [String: String] = [:], deduplication: Deduplication = .idempotencyKey,
        _ body: (Scripted) async throws -> Void, file: StaticString = #filePath, line: UInt = #line
    ) async throws {
        for database in TestDatabase.all {
            let provider = ScriptedConnector(deduplication: deduplication)
            let hub = try await TestHub.start(database, environment: environment, connectors: [SandboxConnector(settlementDelay: 2), provider])
            do {
                let account = try await ProviderAccountService(context: hub.context, db: hub.app.db).add(
                    merchantID: hub.merchant.id, provider: ScriptedConnector.providerName, livemode: false, name: nil, credentials: [:])
                try await body(Scripted(hub: hub, provider: provider, account: account.id))
            } catch {
                XCTFail("[\(database)] \(error)", file: file, line: line)
            }
            try await hub.stop()
        }
    }

    // MARK: 1.1 A cancel can drop a real charge

    func testACancelCanDropARealCharge_aCancelOfAnUnansweredAttemptAsksTheProviderFirst() async throws {
        try await withScripted { s in
            s.provider.onAuthorize { _ in throw ScriptedConnector.timeout }
            let (intent, first) = try await s.attempt()
            XCTAssertEqual(first["status"] as? String, "processing", "a timeout leaves the outcome unknown")
            // The provider did charge: asked again under the same key, it says so.
            s.provider.onAuthorize { _ in ConnectorPaymentResult(providerReference: "ref_paid", outcome: .succeeded) }
            let cancel = try await s.hub.request(.POST, "/v1/payment_intents/\(intent)/cancel", json: [:])
            XCTAssertEqual(cancel.status, .conflict, cancel.text)
            XCTAssertEqual(cancel.errorCode, "payment_intent_unexpected_state")
            let now = try await s.intent(intent)
            XCTAssertEqual(now["status"] as? String, "succeeded", "the charge is kept, not canceled away")
            XCTAssertEqual(now["amount_received"] as? Int, 1000)
            XCTAssertEqual(s.provider.recorded.authorize.count, 2)
            XCTAssertEqual(s.provider.recorded.authorize[0], s.provider.recorded.authorize[1], "the retry is the same request")
        }
    }

    func testACancelCanDropARealCharge_aCancelWhileTheProviderIsStillUnreachableIsRefused() async throws {
        try await withScripted { s in
            s.provider.onAuthorize { _ in throw ScriptedConnector.timeout }
            let (intent, _) = try await s.attempt()
            let cancel = try await s.hub.request(.POST, "/v1/payment_intents/\(intent)/cancel", json: [:])
            XCTAssertEqual(cancel.status, .conflict, cancel.text)
            XCTAssertEqual(cancel.errorCode, "payment_outcome_unknown")
            let now = try await s.intent(intent)
            XCTAssertEqual(now["status"] as? String, "processing", "nothing was canceled")
            // The provider's late answer is then recorded as the success it is.
            s.provider.onAuthorize { _ in ConnectorPaymentResult(providerReference: "ref_late", outcome: .succeeded) }
            s.hub.clock.advance(61)
            try await s.hub.poller.runOnce()
            let after = try await s.intent(intent)
            XCTAssertEqual(after["status"] as? String, "succeeded")
        }
    }

    func testACancelCanDropARealCharge_aSuccessAfterTheCancelIsRecordedAndRefunded() async throws {
        try await withScripted { s in
            s.provider.onAuthorize { _ in ConnectorPaymentResult(providerReference: "ref_async", outcome: .processing) }
            let (intent, _) = try await s.attempt()
            let cancel = try await s.hub.request(.POST, "/v1/payment_intents/\(intent)/cancel", json: [:])
            XCTAssertEqual(cancel["status"] as? String, "canceled", cancel.text)
            XCTAssertEqual(s.provider.recorded.cancel, ["ref_async"], "the provider was asked to void")
            // The provider answers after the cancel: it charged the customer after all.
            try await s.webhook(reference: "ref_async", status: "succeeded")
            var types = try await s.eventTypes(of: intent)
            XCTAssertTrue(types.contains("payment_intent.late_success"), "\(types)")
            let attempt = try await s.attemptRow(of: intent)
            XCTAssertEqual(attempt.status, "succeeded", "the charge is recorded on its attempt")
            XCTAssertEqual(attempt.lateSuccessReversal, "pending")

            let reversals = try await s.hub.reversals.runOnce()
            XCTAssertEqual(reversals, 1)
            XCTAssertEqual(s.provider.recorded.refund.count, 1, "refunded once")
            XCTAssertEqual(s.provider.recorded.refund.first?.amount.minorUnits, 1000, "in full")
            XCTAssertEqual(s.provider.recorded.refund.first?.paymentReference, "ref_async")
            types = try await s.eventTypes(of: intent)
            XCTAssertTrue(types.contains("payment_intent.late_success_reversed"), "\(types)")
            let reversed = try await s.attemptRow(of: intent)
            XCTAssertEqual(reversed.lateSuccessReversal, "refunded")
            let now = try await s.intent(intent)
            XCTAssertEqual(now["status"] as? String, "canceled")
            XCTAssertEqual(now["amount_received"] as? Int, 0)

            // The same webhook again, and the job again: nothing is given back twice.
            try await s.webhook(reference: "ref_async", status: "succeeded")
            _ = try await s.hub.reversals.runOnce()
            XCTAssertEqual(s.provider.recorded.refund.count, 1)
        }
    }

    func testACancelCanDropARealCharge_anAuthorisationAfterTheCancelIsVoided() async throws {
        try await withScripted { s in
            s.provider.onAuthorize { _ in ConnectorPaymentResult(providerReference: "ref_auth", outcome: .processing) }
            let (intent, _) = try await s.attempt(capture: "manual")
            _ = try await s.hub.request(.POST, "/v1/payment_intents/\(intent)/cancel", json: [:])
            try await s.webhook(reference: "ref_auth", status: "requires_capture")
            _ = try await s.hub.reversals.runOnce()
            XCTAssertEqual(s.provider.recorded.cancel, ["ref_auth", "ref_auth"], "voided, not refunded")
            XCTAssertTrue(s.provider.recorded.refund.isEmpty)
            let attempt = try await s.attemptRow(of: intent)
            XCTAssertEqual(attempt.lateSuccessReversal, "voided")
            XCTAssertEqual(attempt.status, "canceled")
        }
    }

    // MARK: 1.2 Partial captures are overwritten

    func testPartialCapturesAreOverwritten_captureRacingTheProvidersWebhook() async throws {
        try await withScripted { s in
            s.provider.onAuthorize { _ in ConnectorPaymentResult(providerReference: "ref_cap", outcome: .requiresCapture) }
            let (intent, authorised) = try await s.attempt(capture: "manual")
            XCTAssertEqual(authorised["status"] as? String, "requires_capture", authorised.text)
            // The provider's webhook for the capture arrives before the capture call returns.
            let hub = s.hub
            let account = s.account
            s.provider.onCapture { reference, amount in
                let webhook = IncomingWebhook(
                    headers: [:], body: Array(#"{"reference": "\#(reference)", "status": "succeeded", "amount_received": \#(amount.minorUnits)}"#.utf8))
                _ = try await ProviderWebhookService(context: hub.context, db: hub.app.db, logger: hub.app.logger)
                    .handle(provider: ScriptedConnector.providerName, accountID: account, webhook: webhook)
                return ConnectorPaymentResult(providerReference: reference, outcome: .succeeded, amounts: ProviderAmounts(received: amount.minorUnits))
            }
            let captured = try await s.hub.request(.POST, "/v1/payment_intents/\(intent)/capture", json: ["amount": 600])
            XCTAssertEqual(captured.status, .ok, "the captured intent, not 409: \(captured.text)")
            XCTAssertEqual(captured["amount_received"] as? Int, 600)
            let refund = try await s.hub.request(.POST, "/v1/refunds", json: ["payment_intent": intent, "amount": 700])
            XCTAssertEqual(refund.errorCode, "amount_too_large", "refunds cannot exceed what was captured")
        }
    }

    func testPartialCapturesAreOverwritten_syncAfterACrashBetweenCaptureAndTheLocalUpdate() async throws {
        try await withScripted { s in
            s.provider.onAuthorize { _ in ConnectorPaymentResult(providerReference: "ref_cap", outcome: .requiresCapture) }
            let (intent, _) = try await s.attempt(capture: "manual")
            // The provider captures 600, and PayHub never hears back.
            s.provider.onCapture { _, _ in throw ScriptedConnector.timeout }
            let lost = try await s.hub.request(.POST, "/v1/payment_intents/\(intent)/capture", json: ["amount": 600])
            XCTAssertEqual(lost.status, .badGateway, lost.text)
            s.provider.onRetrieve { ConnectorPaymentResult(providerReference: $0, outcome: .succeeded, amounts: ProviderAmounts(received: 600, capturable: 0)) }
            let synced = try await s.hub.request(.POST, "/v1/payment_intents/\(intent)/sync", json: [:])
            XCTAssertEqual(synced["status"] as? String, "succeeded", synced.text)
            XCTAssertEqual(synced["amount_received"] as? Int, 600, "what the provider captured, not the full amount")
        }
    }

    func testPartialCapturesAreOverwritten_aRetriedCaptureThatTheProviderAlreadyTookAnswersTheCapturedIntent() async throws {
        try await withScripted { s in
            s.provider.onAuthorize { _ in ConnectorPaymentResult(providerReference: "ref_cap", outcome: .requiresCapture) }
            let (intent, _) = try await s.attempt(capture: "manual")
            s.provider.onCapture { _, _ in
                throw ConnectorError.invalidRequest(code: "payment_intent_unexpected_state", message: "already captured", param: nil)
            }
            s.provider.onRetrieve { ConnectorPaymentResult(providerReference: $0, outcome: .succeeded, amounts: ProviderAmounts(received: 600, capturable: 0)) }
            let captured = try await s.hub.request(.POST, "/v1/payment_intents/\(intent)/capture", json: ["amount": 600])
            XCTAssertEqual(captured.status, .ok, captured.text)
            XCTAssertEqual(captured["amount_received"] as? Int, 600)
        }
    }

    // MARK: 1.4 A retried unanswered payment is sent differently from the first try

    func testARetriedUnansweredPaymentIsSentExactlyAsTheFirstTry() async throws {
        try await withScripted { s in
            s.provider.onAuthorize { _ in throw ScriptedConnector.timeout }
            let (intent, _) = try await s.attempt(extra: [
                "description": "Order 1001", "customer": ["name": "Ada", "email": "ada@example.com", "locale": "it"],
            ])
            s.provider.onAuthorize { _ in ConnectorPaymentResult(providerReference: "ref_1", outcome: .succeeded) }
            s.hub.clock.advance(61)
            try await s.hub.poller.runOnce()
            let calls = s.provider.recorded.authorize
            XCTAssertEqual(calls.count, 2)
            XCTAssertEqual(calls[0], calls[1], "same parameters under the same idempotency key")
            XCTAssertEqual(calls[1].customer?.email, "ada@example.com", "the customer is not dropped")
            let now = try await s.intent(intent)
            XCTAssertEqual(now["status"] as? String, "succeeded")
        }
    }

    func testARetriedUnansweredRefundIsSentExactlyAsTheFirstTry() async throws {
        try await withScripted { s in
            let (intent, paid) = try await s.attempt()
            XCTAssertEqual(paid["status"] as? String, "succeeded")
            s.provider.onRefund { _ in throw ScriptedConnector.timeout }
            let refund = try await s.hub.request(.POST, "/v1/refunds", json: ["payment_intent": intent, "amount": 400, "reason": "duplicate"])
            XCTAssertEqual(refund["status"] as? String, "pending", refund.text)
            s.provider.onRefund { ConnectorRefundResult(providerReference: "rref_" + $0.idempotencyKey, outcome: .succeeded) }
            s.hub.clock.advance(61)
            try await s.hub.poller.runOnce()
            let calls = s.provider.recorded.refund
            XCTAssertEqual(calls.count, 2)
            XCTAssertEqual(calls[0], calls[1])
            let settled = try await s.hub.request(.GET, "/v1/refunds/\(refund.id)")
            XCTAssertEqual(settled["status"] as? String, "succeeded")
        }
    }

    func testAProviderWithoutIdempotencyKeysIsLookedUpInsteadOfChargedAgain() async throws {
        try await withScripted(deduplication: .lookupByReference) { s in
            s.provider.onAuthorize { _ in throw ScriptedConnector.timeout }
            let (intent, _) = try await s.attempt()
            s.provider.onFind { _ in ConnectorPaymentResult(providerReference: "ref_found", outcome: .succeeded) }
            s.hub.clock.advance(61)
            try await s.hub.poller.runOnce()
            XCTAssertEqual(s.provider.recorded.authorize.count, 1, "never sent twice")
            XCTAssertEqual(s.provider.recorded.find.count, 1)
            let now = try await s.intent(intent)
            XCTAssertEqual(now["status"] as? String, "succeeded")
        }
    }

    // MARK: 1.3 The status poller starves

    func testTheStatusPollerStarves_aThousandStuckAttemptsAreEachCheckedWithinTheirBackoff() async throws {
        try await withScripted { s in
            let count = 1000
            try await Self.insertStuckAttempts(count, hub: s.hub, account: s.account)
            let checks = CheckCounter()
            s.provider.onRetrieve { reference in
                checks.add(reference)
                return ConnectorPaymentResult(providerReference: reference, outcome: .processing)
            }
            let poller = s.hub.poller
            do { let ran = try await poller.runOnce(); XCTAssertEqual(ran, 0, "too young to check") }
            s.hub.clock.advance(61)
            do { let ran = try await poller.runOnce(); XCTAssertEqual(ran, count) }
            XCTAssertEqual(checks.distinct, count, "every stuck attempt was checked")
            XCTAssertEqual(checks.total, count, "once each")
            do { let ran = try await poller.runOnce(); XCTAssertEqual(ran, 0, "backing off") }
            // A new attempt (one cut by a crash, say) is checked at its own time despite the backlog.
            s.provider.onAuthorize { _ in throw ScriptedConnector.timeout }
            let (fresh, _) = try await s.attempt()
            s.hub.clock.advance(121)
            do { let ran = try await poller.runOnce(); XCTAssertEqual(ran, count + 1, "the backlog after 120 s, and the new one after 60 s") }
            XCTAssertEqual(checks.total, count * 2)
            let freshRow = try await s.attemptRow(of: fresh)
            XCTAssertEqual(freshRow.checkCount, 1)
            s.hub.clock.advance(239)
            do { let ran = try await poller.runOnce(); XCTAssertEqual(ran, 1, "the new one, 120 s after its first check; the backlog waits 240 s") }
            s.hub.clock.advance(2)
            do { let ran = try await poller.runOnce(); XCTAssertEqual(ran, count, "and then it comes") }
            XCTAssertEqual(checks.total, count * 3)
            XCTAssertEqual(s.provider.recorded.authorize.count, 3, "the unanswered one was asked again at each of its checks")
        }
    }

    func testTheStatusPollerStarves_anAbandonedThreeDSecureAttemptExpires() async throws {
        try await withEachDatabase(environment: ["PAYHUB_ACTION_TIMEOUT": "600"]) { hub in
            let reply = try await hub.pay(token: "tok_threeds")
            XCTAssertEqual(reply["status"] as? String, "requires_action")
            let intent = reply.id
            hub.clock.advance(599)
            try await hub.poller.runOnce()
            let waiting = try await hub.request(.GET, "/v1/payment_intents/\(intent)")
            XCTAssertEqual(waiting["status"] as? String, "requires_action", "not before the timeout")
            hub.clock.advance(2)
            try await hub.poller.runOnce()
            let expired = try await hub.request(.GET, "/v1/payment_intents/\(intent)")
            XCTAssertEqual(expired["status"] as? String, "requires_payment_method", expired.text)
            let error = expired["last_payment_error"] as? [String: Any]
            XCTAssertEqual(error?["code"] as? String, "authentication_timeout")
            let again = try await hub.request(
                .POST, "/v1/payment_intents/\(intent)/payments", json: ["payment_method": ["type": "card", "token": "tok_visa"]])
            XCTAssertEqual(again["status"] as? String, "succeeded", "the customer can pay another way")
        }
    }

    /// Inserts attempts stuck in `processing`, as a crash or a silent provider leaves them.
    static func insertStuckAttempts(_ count: Int, hub: TestHub, account: String) async throws {
        let now = hub.clock.now()
        let merchant = hub.merchant.id
        let context = hub.context
        try await context.transactor.writeSQL(on: hub.app.db) { tx in
            for index in 0..<count {
                let intentID = (context.ids.make() as PaymentIntentID).rawValue
                let attemptID = (context.ids.make() as PaymentAttemptID).rawValue
                let intent = PaymentIntentModel()
                intent.id = intentID
                intent.merchantID = merchant
                intent.livemode = false
                intent.amount = 1000
                intent.currency = "EUR"
                intent.captureMethod = "automatic"
                intent.metadata = "{}"
                intent.createdAt = now
                var domain = PaymentIntent(
                    id: PaymentIntentID(rawValue: intentID), amount: Money(minorUnits: 1000, currency: try Currency(code: "EUR")),
                    captureMethod: .automatic, createdAt: now)
                domain.status = .processing
                domain.activeAttemptID = PaymentAttemptID(rawValue: attemptID)
                intent.update(from: domain)
                try await intent.insert(on: tx)
                let attempt = PaymentAttemptModel()
                attempt.id = attemptID
                attempt.paymentIntentID = intentID
                attempt.merchantID = merchant
                attempt.livemode = false
                attempt.provider = ScriptedConnector.providerName
                attempt.providerAccountID = account
                attempt.methodType = "card"
                attempt.paymentMethod = #"{"type":"card","token":"tok_scripted"}"#
                attempt.status = "processing"
                attempt.providerReference = "ref_stuck_\(index)"
                attempt.createdAt = now
                attempt.updatedAt = now
                attempt.checkCount = 0
                attempt.nextCheckAt = now.addingTimeInterval(60)
                try await attempt.insert(on: tx)
            }
        }
    }
}

/// Counts status checks per provider reference.
final class CheckCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    func add(_ reference: String) { lock.lock(); counts[reference, default: 0] += 1; lock.unlock() }
    var distinct: Int { lock.lock(); defer { lock.unlock() }; return counts.count }
    var total: Int { lock.lock(); defer { lock.unlock() }; return counts.values.reduce(0, +) }
}
