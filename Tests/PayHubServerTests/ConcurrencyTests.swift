import Fluent
import Foundation
@testable import PayHubServer
import SQLKit
import XCTVapor

/// What happens when clients race: nothing is refunded twice, nothing is created twice.
final class ConcurrencyTests: XCTestCase {
    func testFiftyConcurrentPartialRefundsNeverExceedTheCapturedAmount() async throws {
        try await withEachDatabase { hub in
            let paid = try await hub.pay(amount: 1000)
            let replies = try await withThrowingTaskGroup(of: TestHub.Reply.self) { group in
                for _ in 0..<50 {
                    group.addTask { try await hub.request(.POST, "/v1/refunds", json: ["payment_intent": paid.id, "amount": 30]) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let created = replies.filter { $0.status == .created }
            XCTAssertEqual(created.count, 33, "1000 / 30 = 33 refunds fit")
            XCTAssertTrue(replies.filter { $0.status != .created }.allSatisfy { $0.errorCode == "amount_too_large" })
            hub.clock.advance(5)
            try await hub.simulator.runOnce()
            let intent = try await hub.request(.GET, "/v1/payment_intents/\(paid.id)")
            XCTAssertEqual(intent["amount_refunded"] as? Int, 990)
            let refunds = try await RefundModel.query(on: hub.app.db).filter(\.$paymentIntentID == paid.id).all()
            XCTAssertEqual(refunds.map(\.amount).reduce(0, +), 990)
        }
    }

    /// On SQLite one process queues every write, so the test above checks the writer queue; here two processes on
    /// one PostgreSQL race, so only the intent's row lock keeps the refunds within what was captured.
    func testTwoProcessesRefundingOnePaymentAtOnceNeverExceedTheCapturedAmount() async throws {
        guard case .some(.postgres(let adminURL)) = TestDatabase.all.last, TestDatabase.all.count == 2 else {
            throw XCTSkip("PAYHUB_TEST_POSTGRES_URL not set: the two-process refund race is skipped")
        }
        let first = try await TestHub.start(.postgres(adminURL: adminURL))
        let databaseName = String(URLComponents(string: first.context.config.databaseURL ?? "")?.path.dropFirst() ?? "")
        let second = try await TestHub.start(.postgres(adminURL: adminURL), databaseName: databaseName, migrate: false)
        do {
            let paid = try await first.pay(amount: 1000)
            let key = first.secretKey
            let replies = try await withThrowingTaskGroup(of: TestHub.Reply.self) { group in
                for index in 0..<40 {
                    let hub = index.isMultiple(of: 2) ? first : second
                    group.addTask { try await hub.request(.POST, "/v1/refunds", json: ["payment_intent": paid.id, "amount": 70], key: key) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            XCTAssertEqual(replies.filter { $0.status == .created }.count, 14, "1000 / 70 = 14 refunds fit, whichever process took them")
            XCTAssertTrue(replies.filter { $0.status != .created }.allSatisfy { $0.errorCode == "amount_too_large" })
            let refunds = try await RefundModel.query(on: second.app.db).filter(\.$paymentIntentID == paid.id).all()
            XCTAssertEqual(refunds.map(\.amount).reduce(0, +), 980)
            let stored = try await PaymentIntentModel.find(paid.id, on: first.app.db)
            XCTAssertEqual((stored?.amountRefunded ?? 0) + (stored?.amountRefundPending ?? 0), 980, "reserved exactly what was refunded")
        } catch {
            XCTFail("\(error)")
        }
        try await second.app.asyncShutdown()
        try await first.stop()
    }

    func testFiftyConcurrentRequestsWithOneIdempotencyKeyCreateOneObject() async throws {
        try await withEachDatabase { hub in
            let replies = try await withThrowingTaskGroup(of: TestHub.Reply.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        try await hub.request(
                            .POST, "/v1/payment_intents", json: ["amount": 4200, "currency": "EUR"], headers: [("Idempotency-Key", "order-42")])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let created = replies.filter { $0.status == .created }
            XCTAssertGreaterThanOrEqual(created.count, 1)
            XCTAssertEqual(Set(created.map(\.id)).count, 1, "every success is the same object")
            XCTAssertTrue(replies.filter { $0.status != .created }.allSatisfy { $0.errorCode == "idempotency_key_in_use" })
            let count = try await PaymentIntentModel.query(on: hub.app.db).count()
            XCTAssertEqual(count, 1)
        }
    }

    func testIdempotentReplayAndMismatch() async throws {
        try await withEachDatabase { hub in
            let first = try await hub.request(
                .POST, "/v1/payment_intents", json: ["amount": 100, "currency": "EUR"], headers: [("Idempotency-Key", "k1")])
            let replay = try await hub.request(
                .POST, "/v1/payment_intents", json: ["amount": 100, "currency": "EUR"], headers: [("Idempotency-Key", "k1")])
            XCTAssertEqual(replay.status, .created)
            XCTAssertEqual(replay.id, first.id)
            XCTAssertEqual(replay.headers.first(name: "Idempotent-Replayed"), "true")
            let mismatch = try await hub.request(
                .POST, "/v1/payment_intents", json: ["amount": 101, "currency": "EUR"], headers: [("Idempotency-Key", "k1")])
            XCTAssertEqual(mismatch.status, .badRequest)
            XCTAssertEqual(mismatch.errorType, "idempotency_error")
            let failed = try await hub.request(
                .POST, "/v1/payment_intents", json: ["amount": -1, "currency": "EUR"], headers: [("Idempotency-Key", "k2")])
            let failedAgain = try await hub.request(
                .POST, "/v1/payment_intents", json: ["amount": -1, "currency": "EUR"], headers: [("Idempotency-Key", "k2")])
            XCTAssertEqual(failed.text, failedAgain.text, "errors are replayed too")
            let other = try await MerchantService(context: hub.context, db: hub.app.db).create(name: "Other")
            let otherMerchant = try await hub.request(
                .POST, "/v1/payment_intents", json: ["amount": 100, "currency": "EUR"], key: other.secretKeyTest,
                headers: [("Idempotency-Key", "k1")])
            XCTAssertNotEqual(otherMerchant.id, first.id, "keys are scoped to the merchant")
            hub.clock.advance(25 * 3600)
            let expired = try await hub.request(
                .POST, "/v1/payment_intents", json: ["amount": 100, "currency": "EUR"], headers: [("Idempotency-Key", "k1")])
            XCTAssertNotEqual(expired.id, first.id, "keys expire after 24 hours")
        }
    }

    /// A process that dies after committing an object but before storing the response leaves the key
    /// `in_progress`; the client's retry, once the key is abandoned, gets the object that was made, not a second one.
    func testARetryAfterACrashFindsTheObjectInsteadOfMakingAnother() async throws {
        try await withEachDatabase { hub in
            let intent = try await hub.request(
                .POST, "/v1/payment_intents", json: ["amount": 900, "currency": "EUR"], headers: [("Idempotency-Key", "crash-1")])
            _ = try await hub.request(.POST, "/v1/payment_intents/\(intent.id)/payments", json: ["payment_method": ["type": "card", "token": "tok_visa"]])
            let refund = try await hub.request(
                .POST, "/v1/refunds", json: ["payment_intent": intent.id, "amount": 300], headers: [("Idempotency-Key", "crash-2")])
            XCTAssertEqual(refund.status, .created)
            // As if the responses had never been stored: the keys look like requests that died mid-way.
            try await IdempotencyKeyModel.query(on: hub.app.db)
                .set(\.$state, to: "in_progress").set(\.$responseStatus, to: nil).set(\.$responseBody, to: nil).update()
            let inFlight = try await hub.request(
                .POST, "/v1/payment_intents", json: ["amount": 900, "currency": "EUR"], headers: [("Idempotency-Key", "crash-1")])
            XCTAssertEqual(inFlight.errorCode, "idempotency_key_in_use")
            hub.clock.advance(61)
            let retriedIntent = try await hub.request(
                .POST, "/v1/payment_intents", json: ["amount": 900, "currency": "EUR"], headers: [("Idempotency-Key", "crash-1")])
            XCTAssertEqual(retriedIntent.id, intent.id)
            XCTAssertNotNil(retriedIntent["client_token"] as? String)
            let retriedRefund = try await hub.request(
                .POST, "/v1/refunds", json: ["payment_intent": intent.id, "amount": 300], headers: [("Idempotency-Key", "crash-2")])
            XCTAssertEqual(retriedRefund.id, refund.id)
            let intents = try await PaymentIntentModel.query(on: hub.app.db).count()
            let refunds = try await RefundModel.query(on: hub.app.db).count()
            XCTAssertEqual(intents, 1)
            XCTAssertEqual(refunds, 1)
        }
    }

    /// The same for a payment attempt: the first try died after recording its attempt, before the provider answered
    /// and before the response was stored. The retry resumes that attempt, with the provider asked under the
    /// attempt's own idempotency key; it neither starts a second attempt nor answers that one is in progress.
    func testARetriedPaymentAfterACrashResumesTheAttemptItStarted() async throws {
        try await withEachDatabase { hub in
            let intent = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 900, "currency": "EUR"])
            let pay: @Sendable () async throws -> TestHub.Reply = {
                try await hub.request(
                    .POST, "/v1/payment_intents/\(intent.id)/payments", json: ["payment_method": ["type": "card", "token": "tok_visa"]],
                    headers: [("Idempotency-Key", "crash-3")])
            }
            let first = try await pay()
            XCTAssertEqual(first["status"] as? String, "succeeded")
            let attemptID = (first["payments"] as? [[String: Any]])?.first?["id"] as? String
            // Back to the moment the process died: attempt recorded, provider not yet asked, response not stored.
            let sql = try XCTUnwrap(hub.app.db as? any SQLDatabase)
            try await sql.raw("UPDATE payment_attempts SET status = 'pending', provider_reference = NULL, next_action = NULL").run()
            try await sql.raw("UPDATE payment_intents SET status = 'requires_payment_method', amount_received = 0, amount_capturable = 0").run()
            try await IdempotencyKeyModel.query(on: hub.app.db)
                .set(\.$state, to: "in_progress").set(\.$responseStatus, to: nil).set(\.$responseBody, to: nil).update()
            hub.clock.advance(61)

            let retried = try await pay()
            XCTAssertEqual(retried.status, first.status)
            XCTAssertEqual(retried["status"] as? String, "succeeded")
            let payments = retried["payments"] as? [[String: Any]] ?? []
            XCTAssertEqual(payments.map { $0["id"] as? String }, [attemptID], "the retry resumed the first attempt")
            XCTAssertEqual(payments.first?["status"] as? String, "succeeded")
            let attempts = try await PaymentAttemptModel.query(on: hub.app.db).count()
            XCTAssertEqual(attempts, 1)
            // Once stored, the response replays.
            let replayed = try await pay()
            XCTAssertEqual(replayed.headers.first(name: "Idempotent-Replayed"), "true")
            XCTAssertEqual(replayed.id, intent.id)
        }
    }

    /// A retry of a payment the provider declined before the process died answers with the same decline.
    func testARetriedDeclinedPaymentAfterACrashAnswersTheSameDecline() async throws {
        try await withEachDatabase { hub in
            let intent = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 900, "currency": "EUR"])
            let pay: @Sendable () async throws -> TestHub.Reply = {
                try await hub.request(
                    .POST, "/v1/payment_intents/\(intent.id)/payments", json: ["payment_method": ["type": "card", "token": "tok_declined"]],
                    headers: [("Idempotency-Key", "crash-4")])
            }
            let first = try await pay()
            XCTAssertEqual(first.status, .paymentRequired)
            try await IdempotencyKeyModel.query(on: hub.app.db)
                .set(\.$state, to: "in_progress").set(\.$responseStatus, to: nil).set(\.$responseBody, to: nil).update()
            hub.clock.advance(61)
            let retried = try await pay()
            XCTAssertEqual(retried.status, .paymentRequired)
            XCTAssertEqual(retried.errorCode, first.errorCode)
            let attempts = try await PaymentAttemptModel.query(on: hub.app.db).count()
            XCTAssertEqual(attempts, 1)
        }
    }

    func testConcurrentAttemptsOnOneIntentPayOnce() async throws {
        try await withEachDatabase { hub in
            let intent = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 100, "currency": "EUR"])
            let replies = try await withThrowingTaskGroup(of: TestHub.Reply.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        try await hub.request(
                            .POST, "/v1/payment_intents/\(intent.id)/payments", json: ["payment_method": ["type": "card", "token": "tok_visa"]])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            XCTAssertEqual(replies.filter { $0.status == .created }.count, 1)
            XCTAssertTrue(replies.filter { $0.status != .created }.allSatisfy { $0.status == .conflict })
            let attempts = try await PaymentAttemptModel.query(on: hub.app.db).filter(\.$paymentIntentID == intent.id).count()
            XCTAssertEqual(attempts, 1)
        }
    }
}
