import Fluent
import Foundation
@testable import PayHubServer
import XCTVapor

/// Errors, authentication, tenant isolation and hostile input.
final class APIContractTests: XCTestCase {
    func testMalformedInputGetsAClearErrorNamingTheParameter() async throws {
        try await withEachDatabase { hub in
            let cases: [(String, String, String?)] = [
                ("{not json", "body_invalid", nil),
                ("[1,2]", "body_invalid", nil),
                (#"{"currency": "EUR"}"#, "parameter_missing", "amount"),
                (#"{"amount": "10", "currency": "EUR"}"#, "parameter_invalid_type", "amount"),
                (#"{"amount": 10.5, "currency": "EUR"}"#, "parameter_invalid", "amount"),
                (#"{"amount": 1e30, "currency": "EUR"}"#, "parameter_invalid", "amount"),
                (#"{"amount": 100, "currency": "EUR", "colour": "red"}"#, "parameter_unknown", "colour"),
                (#"{"amount": 100, "currency": "EUR", "customer": {"shoe": 42}}"#, "parameter_unknown", "customer.shoe"),
                (#"{"amount": 100, "currency": "EUR", "customer": "ada"}"#, "parameter_invalid_type", "customer"),
                (#"{"amount": 100, "currency": "EUR", "metadata": {"k": 1}}"#, "metadata_invalid", "metadata.k"),
                (#"{"amount": 0, "currency": "EUR"}"#, "amount_invalid", "amount"),
                (#"{"amount": -1, "currency": "EUR"}"#, "amount_invalid", "amount"),
                (#"{"amount": 100000000, "currency": "EUR"}"#, "amount_invalid", "amount"),
                (#"{"amount": 100, "currency": "ZZZ"}"#, "currency_invalid", "currency"),
                (#"{"amount": 100, "currency": "EUR", "capture_method": "later"}"#, "parameter_invalid", "capture_method"),
                (#"{"amount": 100, "currency": "EUR", "customer": {"email": "nope"}}"#, "email_invalid", "customer.email"),
            ]
            for (body, code, param) in cases {
                let reply = try await hub.request(.POST, "/v1/payment_intents", raw: body)
                XCTAssertEqual(reply.status, .badRequest, body)
                XCTAssertEqual(reply.errorCode, code, body)
                XCTAssertEqual(reply.errorParam, param, body)
                XCTAssertEqual(reply.errorType, "invalid_request_error", body)
            }
            let intents = try await hub.request(.GET, "/v1/payment_intents")
            XCTAssertEqual((intents["data"] as? [Any])?.count, 0, "nothing was created by bad requests")

            // An empty cursor is not a cursor (schemathesis found `starting_after=` answered 200).
            for (list, cursor) in [("/v1/refunds", "starting_after"), ("/v1/payment_intents", "ending_before"), ("/v1/events", "starting_after")] {
                let reply = try await hub.request(.GET, "\(list)?\(cursor)=")
                XCTAssertEqual(reply.status, .badRequest, "\(list) \(reply.text)")
                XCTAssertEqual(reply.errorParam, cursor, list)
            }
        }
    }

    func testEveryErrorHasTheSameShape() async throws {
        try await withEachDatabase { hub in
            let unknownRoute = try await hub.request(.GET, "/v1/nothing_here")
            XCTAssertEqual(unknownRoute.status, .notFound)
            XCTAssertEqual(unknownRoute.errorCode, "url_not_found")
            let big = String(repeating: "x", count: 70_000)
            let oversized = try await hub.request(.POST, "/v1/payment_intents", raw: #"{"amount": 1, "currency": "EUR", "description": "\#(big)"}"#)
            XCTAssertEqual(oversized.status, .payloadTooLarge)
            XCTAssertEqual(oversized.errorCode, "body_too_large")
            let wrongMethod = try await hub.request(.PUT, "/v1/payment_intents", json: [:])
            XCTAssertEqual(wrongMethod.status, .methodNotAllowed)
            XCTAssertEqual(wrongMethod.headers.first(name: .allow), "GET, POST")
            let wrongMethodWithID = try await hub.request(.DELETE, "/v1/payment_intents/pi_123")
            XCTAssertEqual(wrongMethodWithID.status, .methodNotAllowed)
            XCTAssertEqual(wrongMethodWithID.headers.first(name: .allow), "GET")
            for reply in [unknownRoute, oversized, wrongMethod] {
                let error = try XCTUnwrap(reply["error"] as? [String: Any])
                XCTAssertEqual(Set(error.keys), ["type", "code", "message", "param"])
            }
        }
    }

    func testAuthentication() async throws {
        try await withEachDatabase { hub in
            let none = try await hub.request(.GET, "/v1/payment_intents", key: "")
            XCTAssertEqual(none.status, .unauthorized)
            XCTAssertEqual(none.errorType, "authentication_error")
            let wrong = try await hub.request(.GET, "/v1/payment_intents", key: "sk_test_wrong")
            XCTAssertEqual(wrong.status, .unauthorized)
            let publishable = try await hub.request(.GET, "/v1/payment_intents", key: hub.merchant.publishableKeyTest)
            XCTAssertEqual(publishable.status, .forbidden)
            let garbage = try await hub.request(.GET, "/v1/payment_intents", key: "eyJhbGciOiJIUzI1NiJ9.e30.bad")
            XCTAssertEqual(garbage.errorCode, "client_token_invalid")
        }
    }

    func testMerchantsAndModesNeverSeeEachOthersObjects() async throws {
        try await withEachDatabase { hub in
            let paid = try await hub.pay()
            let other = try await MerchantService(context: hub.context, db: hub.app.db).create(name: "Other Shop")
            for key in [other.secretKeyTest, hub.merchant.secretKeyLive] {
                let look = try await hub.request(.GET, "/v1/payment_intents/\(paid.id)", key: key)
                XCTAssertEqual(look.status, .notFound)
                let refund = try await hub.request(.POST, "/v1/refunds", json: ["payment_intent": paid.id], key: key)
                XCTAssertEqual(refund.status, .notFound)
                let list = try await hub.request(.GET, "/v1/payment_intents", key: key)
                XCTAssertEqual((list["data"] as? [Any])?.count, 0)
                let events = try await hub.request(.GET, "/v1/events", key: key)
                XCTAssertEqual((events["data"] as? [Any])?.count, 0)
                let cursor = try await hub.request(.GET, "/v1/payment_intents?starting_after=\(paid.id)", key: key)
                XCTAssertEqual(cursor.status, .badRequest)
            }
            let live = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 100, "currency": "EUR"], key: hub.merchant.secretKeyLive)
            let livePay = try await hub.request(
                .POST, "/v1/payment_intents/\(live.id)/payments", json: ["payment_method": ["type": "card", "token": "tok_visa"]],
                key: hub.merchant.secretKeyLive)
            XCTAssertEqual(livePay.errorCode, "provider_unavailable", "the sandbox is a test-mode provider only")
        }
    }

    func testCardNumbersAreRefusedAnywhereAndNeverStored() async throws {
        try await withEachDatabase { hub in
            let bodies: [[String: Any]] = [
                ["amount": 100, "currency": "EUR", "description": "card 4242-4242-4242-4242"],
                ["amount": 100, "currency": "EUR", "metadata": ["pan": "5555 5555 5555 4444"]],
            ]
            for body in bodies {
                let reply = try await hub.request(.POST, "/v1/payment_intents", json: body)
                XCTAssertEqual(reply.status, .badRequest)
                XCTAssertEqual(reply.errorCode, "card_data_not_allowed")
                XCTAssertFalse(reply.text.contains("4242"), "the error does not echo the number")
            }
            let intent = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 100, "currency": "EUR"])
            let attempt = try await hub.request(
                .POST, "/v1/payment_intents/\(intent.id)/payments", json: ["payment_method": ["type": "card", "token": "4000000000003220"]])
            XCTAssertEqual(attempt.errorCode, "card_data_not_allowed")
            let query = try await hub.request(.GET, "/v1/payment_intents?starting_after=4242424242424242")
            XCTAssertEqual(query.errorCode, "card_data_not_allowed")
            let stored = try await hub.storedEvents().map(\.data).joined()
            XCTAssertFalse(stored.contains("4242") || stored.contains("5555"))
        }
    }

    func testClientTokenReachesOnlyItsIntentExpiresAndIsRateLimited() async throws {
        try await withEachDatabase(environment: ["PAYHUB_CLIENT_POLL_RATE": "1"]) { hub in
            let intent = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 700, "currency": "EUR"])
            let token = try XCTUnwrap(intent["client_token"] as? String)
            let otherIntent = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 700, "currency": "EUR"])

            let seen = try await hub.request(.GET, "/v1/payment_intents/\(intent.id)", key: token)
            XCTAssertEqual(seen.status, .ok)
            let other = try await hub.request(.GET, "/v1/payment_intents/\(otherIntent.id)", key: token)
            XCTAssertEqual(other.status, .notFound)
            let list = try await hub.request(.GET, "/v1/payment_intents", key: token)
            XCTAssertEqual(list.status, .forbidden)
            let refund = try await hub.request(.POST, "/v1/refunds", json: ["payment_intent": intent.id], key: token)
            XCTAssertEqual(refund.status, .forbidden)

            var limited: TestHub.Reply?
            for _ in 0..<10 {
                let reply = try await hub.request(.GET, "/v1/payment_intents/\(intent.id)", key: token)
                if reply.status == .tooManyRequests { limited = reply; break }
            }
            let throttled = try XCTUnwrap(limited, "polling is rate-limited per intent")
            XCTAssertEqual(throttled.errorType, "rate_limit_error")
            XCTAssertNotNil(throttled.headers.first(name: "Retry-After"))

            hub.clock.advance(30)
            let paid = try await hub.request(
                .POST, "/v1/payment_intents/\(intent.id)/payments", json: ["payment_method": ["type": "card", "token": "tok_visa"]], key: token)
            XCTAssertEqual(paid["status"] as? String, "succeeded", paid.text)

            hub.clock.advance(3601)
            let expired = try await hub.request(.GET, "/v1/payment_intents/\(intent.id)", key: token)
            XCTAssertEqual(expired.errorCode, "client_token_invalid")
        }
    }

    func testCORSPreflightForBrowserRoutes() async throws {
        try await withEachDatabase { hub in
            // Only origins a merchant allows (ClientCORSTests covers the rest).
            _ = try await hub.request(.POST, "/v1/checkout_settings", json: ["allowed_origins": ["https://shop.example"]])
            var headers = HTTPHeaders()
            headers.add(name: .origin, value: "https://shop.example")
            headers.add(name: .accessControlRequestMethod, value: "POST")
            headers.add(name: .accessControlRequestHeaders, value: "authorization, content-type")
            let response = try await hub.app.testable().performTest(
                request: .init(method: .OPTIONS, url: URI(path: "/v1/payment_intents/pi_x/payments"), headers: headers, body: ByteBuffer()))
            XCTAssertEqual(response.status, .noContent)
            XCTAssertEqual(response.headers.first(name: .accessControlAllowOrigin), "https://shop.example")
            XCTAssertTrue(response.headers.first(name: .accessControlAllowMethods)?.contains("POST") ?? false)
        }
    }

    func testHealthReadinessMetricsAndOpenAPI() async throws {
        try await withEachDatabase(environment: ["PAYHUB_METRICS_TOKEN": "metrics-token-0123456789abcdef"]) { hub in
            _ = try await hub.pay()
            let health = try await hub.request(.GET, "/healthz", key: "")
            XCTAssertEqual(health["status"] as? String, "ok")
            let ready = try await hub.request(.GET, "/readyz", key: "")
            XCTAssertEqual(ready["status"] as? String, "ready")
            let metrics = try await hub.request(.GET, "/metrics", key: "metrics-token-0123456789abcdef")
            XCTAssertTrue(metrics.text.contains("payhub_http_requests_total"), metrics.text)
            XCTAssertTrue(metrics.text.contains("payhub_payments_total{"), metrics.text)
            let spec = try await hub.request(.GET, "/v1/openapi.json", key: "")
            XCTAssertEqual(spec.status, .ok)
            // Every body is size-limited, so every operation that takes one documents the 413.
            let paths = try XCTUnwrap(spec["paths"] as? [String: [String: Any]])
            for (path, operations) in paths {
                for (method, operation) in operations {
                    guard let operation = operation as? [String: Any], operation["requestBody"] != nil else { continue }
                    let responses = operation["responses"] as? [String: Any] ?? [:]
                    XCTAssertNotNil(responses["413"], "\(method.uppercased()) \(path) takes a body but does not document 413")
                }
            }
        }
    }
}
