import Fluent
import Foundation
@testable import PayHubServer
import SQLKit
import XCTVapor

/// An `Idempotency-Key` belongs to one merchant, mode and credential, and only answers worth replaying are stored.
final class IdempotencyScopeTests: XCTestCase {
    private func clientToken(_ hub: TestHub, amount: Int = 1250) async throws -> (intent: String, token: String) {
        let intent = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": amount, "currency": "EUR"])
        return (intent.id, try XCTUnwrap(intent["client_token"] as? String))
    }

    /// The issue's reproduction: a customer holding a client token sends the merchant's next key first.
    func testAClientTokensRefusalNeverAnswersTheMerchantsRequestWithTheSameKey() async throws {
        try await withEachDatabase { hub in
            let (_, token) = try await clientToken(hub)
            let body: [String: Any] = ["amount": 1250, "currency": "EUR", "purchase_reference": "order-1001"]
            let customer = try await hub.request(.POST, "/v1/payment_intents", json: body, key: token, headers: [("Idempotency-Key", "order-1001")])
            XCTAssertEqual(customer.status, .forbidden)
            let merchant = try await hub.request(.POST, "/v1/payment_intents", json: body, headers: [("Idempotency-Key", "order-1001")])
            XCTAssertEqual(merchant.status, .created, merchant.text)
            XCTAssertNil(merchant.headers.first(name: "Idempotent-Replayed"))
            XCTAssertTrue(merchant.id.hasPrefix("pi_"))
        }
    }

    func testTheMerchantsKeyNeverAnswersAClientTokensRequest() async throws {
        try await withEachDatabase { hub in
            let (intent, token) = try await clientToken(hub)
            let path = "/v1/payment_intents/\(intent)/payments"
            let declined = try await hub.request(
                .POST, path, json: ["payment_method": ["type": "card", "token": "tok_declined"]], headers: [("Idempotency-Key", "pay-1")])
            XCTAssertEqual(declined.status, .paymentRequired)
            // The customer's own request with the same key runs: it is neither refused as a reuse, nor answered
            // with the merchant's stored decline, nor does it resume the attempt the merchant's request made.
            let paid = try await hub.request(
                .POST, path, json: ["payment_method": ["type": "card", "token": "tok_visa"]], key: token,
                headers: [("Idempotency-Key", "pay-1")])
            XCTAssertEqual(paid.status, .created, paid.text)
            XCTAssertEqual(paid["status"] as? String, "succeeded")
            XCTAssertEqual((paid["payments"] as? [Any])?.count, 2)
            let scopes = try await IdempotencyKeyModel.query(on: hub.app.db).all().map(\.credentialScope).sorted()
            XCTAssertEqual(scopes, ["client_token:\(intent)", "secret_key"])
        }
    }

    /// The objects a request makes remember its key for a retry after a crash; a client token's retry must find
    /// only what a request with the same client token made, and the merchant's only what the secret key made.
    func testARetryFindsOnlyTheAttemptItsOwnCredentialStarted() async throws {
        try await withEachDatabase { hub in
            let (intent, token) = try await clientToken(hub)
            let path = "/v1/payment_intents/\(intent)/payments"
            let byCustomer = try await hub.request(
                .POST, path, json: ["payment_method": ["type": "card", "token": "tok_declined"]], key: token,
                headers: [("Idempotency-Key", "pay-2")])
            XCTAssertEqual(byCustomer.status, .paymentRequired)
            // As if the stored answer were gone (the process died before storing it, or the row expired).
            try await IdempotencyKeyModel.query(on: hub.app.db).delete()
            let byMerchant = try await hub.request(
                .POST, path, json: ["payment_method": ["type": "card", "token": "tok_visa"]], headers: [("Idempotency-Key", "pay-2")])
            XCTAssertEqual(byMerchant["status"] as? String, "succeeded", "a new attempt, not the customer's declined one: \(byMerchant.text)")
            let attempts = try await PaymentAttemptModel.query(on: hub.app.db).sort(\.$createdAt).all()
            XCTAssertEqual(attempts.map(\.status), ["failed", "succeeded"])
            XCTAssertEqual(attempts.map(\.idempotencyKey), ["client_token:\(intent)\npay-2", "pay-2"])
        }
    }

    func testEachIntentsClientTokenHasItsOwnKeys() async throws {
        try await withEachDatabase { hub in
            let first = try await clientToken(hub)
            let second = try await clientToken(hub)
            for (intent, token) in [first, second] {
                let paid = try await hub.request(
                    .POST, "/v1/payment_intents/\(intent)/payments", json: ["payment_method": ["type": "card", "token": "tok_visa"]],
                    key: token, headers: [("Idempotency-Key", "checkout")])
                XCTAssertEqual(paid.status, .created, paid.text)
                XCTAssertEqual(paid.id, intent)
                XCTAssertNil(paid.headers.first(name: "Idempotent-Replayed"))
            }
        }
    }

    func testRefusalsThatSayNothingOfTheOutcomeAreNotStored() async throws {
        try await withEachDatabase { hub in
            let (_, token) = try await clientToken(hub)
            // 403: the same caller may not, but the request itself is not settled.
            let forbidden = try await hub.request(
                .POST, "/v1/payment_intents", json: ["amount": 100, "currency": "EUR"], key: token, headers: [("Idempotency-Key", "k-403")])
            XCTAssertEqual(forbidden.status, .forbidden)
            let forbiddenAgain = try await hub.request(
                .POST, "/v1/payment_intents", json: ["amount": 100, "currency": "EUR"], key: token, headers: [("Idempotency-Key", "k-403")])
            XCTAssertEqual(forbiddenAgain.status, .forbidden)
            XCTAssertNil(forbiddenAgain.headers.first(name: "Idempotent-Replayed"), "a 403 is not replayed")

            // 409: capturing before the payment is a state conflict; once paid, the same request captures.
            let intent = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 500, "currency": "EUR", "capture_method": "manual"])
            let capture = "/v1/payment_intents/\(intent.id)/capture"
            let early = try await hub.request(.POST, capture, json: [:], headers: [("Idempotency-Key", "k-409")])
            XCTAssertEqual(early.status, .conflict, early.text)
            let paid = try await hub.request(
                .POST, "/v1/payment_intents/\(intent.id)/payments", json: ["payment_method": ["type": "card", "token": "tok_visa"]])
            XCTAssertEqual(paid["status"] as? String, "requires_capture", paid.text)
            let captured = try await hub.request(.POST, capture, json: [:], headers: [("Idempotency-Key", "k-409")])
            XCTAssertEqual(captured.status, .ok, captured.text)
            XCTAssertEqual(captured["status"] as? String, "succeeded")

            let stored = try await IdempotencyKeyModel.query(on: hub.app.db).all().compactMap(\.responseStatus)
            XCTAssertFalse(stored.contains { IdempotentRequest.unstoredStatuses.contains(UInt($0)) }, "\(stored)")
            XCTAssertEqual(IdempotentRequest.unstoredStatuses, [401, 403, 409, 429])
        }
    }

    /// Keys stored before the scope existed are the secret key's; stored 401, 403, 409 and 429 answers are dropped
    /// (one may be a client token's refusal standing in for the merchant's request), and plain-text answers that
    /// carry a secret are forgotten.
    func testTheMigrationScopesExistingKeysToTheSecretKeyAndDropsWhatIsNoLongerStored() async throws {
        try await withEachDatabase { hub in
            let db = hub.app.db
            let sql = try XCTUnwrap(db as? any SQLDatabase)
            try await M031_ForgetStoredResponsesCarryingSecrets().revert(on: db)
            try await M030_ScopeIdempotencyKeysByCredential().revert(on: db)
            let now = hub.clock.now()
            let later = now.addingTimeInterval(3600)
            let merchant = hub.merchant.id
            let body = #"{"amount": 100, "currency": "EUR"}"#
            let fingerprint = IdempotencyService.fingerprint(method: "POST", path: "/v1/payment_intents", body: Array(body.utf8))
            for (id, key, status, responseBody) in [
                ("idk_1", "order-1001", 403, #"{"error": {"code": "secret_key_required"}}"#),
                ("idk_2", "order-1002", 201, #"{"id": "pi_old", "object": "payment_intent"}"#),
                ("idk_3", "order-1003", 201, #"{"id": "pi_older", "client_token": "eyJ.secret"}"#),
                ("idk_4", "endpoint-1", 200, #"{"id": "we_old", "secret": "whsec_old"}"#),
            ] {
                try await sql.raw("""
                    INSERT INTO idempotency_keys (id, merchant_id, livemode, \(ident: "key"), fingerprint, state, response_status, \
                    response_body, locked_at, created_at, expires_at) VALUES (\(bind: id), \(bind: merchant), \(bind: false), \
                    \(bind: key), \(bind: fingerprint), 'completed', \(bind: status), \(bind: responseBody), \(bind: now), \
                    \(bind: now), \(bind: later))
                    """).run()
            }
            try await M030_ScopeIdempotencyKeysByCredential().prepare(on: db)
            try await M031_ForgetStoredResponsesCarryingSecrets().prepare(on: db)

            let rows = try await IdempotencyKeyModel.query(on: db).sort(\.$id).all()
            XCTAssertEqual(rows.map(\.id), ["idk_2"])
            XCTAssertEqual(rows.map(\.credentialScope), ["secret_key"])
            // The kept answer still replays; the dropped 403 no longer stands in for the merchant's request.
            let replayed = try await hub.request(.POST, "/v1/payment_intents", raw: body, headers: [("Idempotency-Key", "order-1002")])
            XCTAssertEqual(replayed.id, "pi_old")
            XCTAssertEqual(replayed.headers.first(name: "Idempotent-Replayed"), "true")
            let fresh = try await hub.request(.POST, "/v1/payment_intents", raw: body, headers: [("Idempotency-Key", "order-1001")])
            XCTAssertEqual(fresh.status, .created, fresh.text)
            // The new unique index holds the same key once per scope.
            let (intent, token) = try await clientToken(hub)
            let customer = try await hub.request(
                .POST, "/v1/payment_intents/\(intent)/payments", json: ["payment_method": ["type": "card", "token": "tok_visa"]],
                key: token, headers: [("Idempotency-Key", "order-1002")])
            XCTAssertEqual(customer.status, .created, customer.text)
        }
    }
}
