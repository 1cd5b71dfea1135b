import Foundation
@testable import PayHubServer
import XCTVapor

/// The card-data guard reads requests as PayHub does: nothing that decodes to a card number gets in or is stored.
final class CardDataGuardTests: XCTestCase {
    private func assertRefused(_ reply: TestHub.Reply, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(reply.status, .badRequest, "\(what): \(reply.text)", file: file, line: line)
        XCTAssertEqual(reply.errorCode, "card_data_not_allowed", what, file: file, line: line)
    }

    private func assertNothingStored(_ hub: TestHub, digits: String, file: StaticString = #filePath, line: UInt = #line) async throws {
        let cells = try await DatabaseDump.cells(of: hub)
        XCTAssertEqual(DatabaseDump.places(of: digits, in: cells), [], "stored", file: file, line: line)
        let intents = try await PaymentIntentModel.query(on: hub.app.db).count()
        XCTAssertEqual(intents, 0, "no intent was created", file: file, line: line)
    }

    /// Any stored form of a 4242... card number: run together, or in groups with spaces, plus signs or dashes. (A
    /// search for "4242" alone would find it by chance in a random SHA-256 digest, about once in 250 runs.)
    private func assertNo4242CardStored(_ hub: TestHub, file: StaticString = #filePath, line: UInt = #line) async throws {
        let cells = try await DatabaseDump.cells(of: hub)
        for form in ["42424242", "4242 4242", "4242+4242", "4242-4242"] {
            XCTAssertEqual(DatabaseDump.places(of: form, in: cells), [], "stored as \(form)", file: file, line: line)
        }
        let intents = try await PaymentIntentModel.query(on: hub.app.db).count()
        XCTAssertEqual(intents, 0, "no intent was created", file: file, line: line)
    }

    func testAJSONEscapedCardNumberIsRefusedAndNotStored() async throws {
        try await withEachDatabase { hub in
            for raw in [
                #"{"amount": 100, "currency": "EUR", "description": "\u0034242424242424242"}"#,
                #"{"amount": 100, "currency": "EUR", "metadata": {"pan": "4242\u00204242\u00204242\u00204242"}}"#,
            ] {
                assertRefused(try await hub.request(.POST, "/v1/payment_intents", raw: raw), raw)
            }
            try await assertNothingStored(hub, digits: "4242424242424242")
            try await assertNothingStored(hub, digits: "4242 4242")
        }
    }

    func testACardNumberInsideALongerDigitRunIsRefused() async throws {
        try await withEachDatabase { hub in
            for description in ["ref 04242424242424242", "42424242424242424242", "x5555555555554444001"] {
                assertRefused(
                    try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 100, "currency": "EUR", "description": description]),
                    description)
            }
            try await assertNothingStored(hub, digits: "424242424242")
        }
    }

    func testACardNumberNextToOtherDigitGroupsIsRefused() async throws {
        try await withEachDatabase { hub in
            for description in ["4242 4242 4242 4242 12/25", "2024-06-20 4242424242424242", "paid 2024-06-20 5555-5555-5555-4444 exp 12 25"] {
                assertRefused(
                    try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 100, "currency": "EUR", "description": description]),
                    description)
            }
            try await assertNo4242CardStored(hub)
        }
    }

    func testACardNumberInTheIdempotencyKeyHeaderIsRefusedAndNotStored() async throws {
        try await withEachDatabase { hub in
            for key in ["4242424242424242", "order-4242 4242 4242 4242", "2024-06-20-4242-4242-4242-4242"] {
                assertRefused(
                    try await hub.request(
                        .POST, "/v1/payment_intents", json: ["amount": 100, "currency": "EUR"], headers: [("Idempotency-Key", key)]),
                    key)
            }
            let keys = try await IdempotencyKeyModel.query(on: hub.app.db).count()
            XCTAssertEqual(keys, 0)
            try await assertNo4242CardStored(hub)
        }
    }

    func testCardNumbersInJSONKeysNumbersAndNestedValuesAreRefused() async throws {
        try await withEachDatabase { hub in
            for raw in [
                #"{"amount": 100, "currency": "EUR", "metadata": {"4242424242424242": "x"}}"#,
                #"{"amount": 4242424242424242, "currency": "EUR"}"#,
                #"{"amount": 4.242424242424242e15, "currency": "EUR"}"#,
                #"{"amount": 100, "currency": "EUR", "customer": {"name": "Ada", "phone": "\u0034242424242424242"}}"#,
            ] {
                assertRefused(try await hub.request(.POST, "/v1/payment_intents", raw: raw), raw)
            }
            try await assertNothingStored(hub, digits: "4242424242424242")
        }
    }

    func testCardNumbersInFormBodiesQueriesAndPathsAreRefused() async throws {
        try await withEachDatabase { hub in
            let form = [("Content-Type", "application/x-www-form-urlencoded")]
            for body in ["description=4242+4242+4242+4242", "description=%34242424242424242", "amount=100&pan=4242-4242-4242-4242"] {
                assertRefused(try await hub.request(.POST, "/v1/payment_intents", raw: body, headers: form), body)
            }
            for path in [
                "/v1/payment_intents?starting_after=4242+4242+4242+4242", "/v1/payment_intents?starting_after=%34242424242424242",
                "/v1/payment_intents?created%5Bgte%5D=2024-06-20%204242424242424242", "/v1/payment_intents/%34242424242424242",
            ] {
                assertRefused(try await hub.request(.GET, path), path)
            }
            try await assertNo4242CardStored(hub)
        }
    }

    func testABodyThatIsNotUTF8IsRefusedSoItsCardNumberIsNeverRead() async throws {
        try await withEachDatabase { hub in
            let json = #"{"amount": 100, "currency": "EUR", "description": "4242424242424242"}"#
            var body = ByteBuffer()
            body.writeBytes(Array(json.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
            var headers = HTTPHeaders()
            headers.bearerAuthorization = .init(token: hub.secretKey)
            headers.contentType = .json
            let response = try await hub.app.testable().performTest(
                request: TestingHTTPRequest(method: .POST, url: URI(path: "/v1/payment_intents"), headers: headers, body: body))
            XCTAssertEqual(response.status, .badRequest, response.body.string)
            try await assertNothingStored(hub, digits: "4242424242424242")
        }
    }

    func testOrdinaryRequestsAreAccepted() async throws {
        try await withEachDatabase { hub in
            let intent = try await hub.request(
                .POST, "/v1/payment_intents",
                json: [
                    "amount": 99_999_999, "currency": "EUR", "purchase_reference": "order-1800000000",
                    "description": "2 coffees, 1 cake, table 12, 2026-12-01 09:10",
                    "customer": ["name": "Ada", "phone": "+225 07 00 00 00 01", "email": "ada@example.com"],
                    "metadata": ["placed": "1800000000", "placed_ms": "1800000000123", "iban": "IT60 X054 2811 1010 0000 0123 456",
                                 "uuid": "9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f"],
                ],
                headers: [("Idempotency-Key", "order-1800000000-2026-12-01")])
            XCTAssertEqual(intent.status, .created, intent.text)
            let list = try await hub.request(.GET, "/v1/payment_intents?limit=10&created%5Bgte%5D=1800000000&starting_after=\(intent.id)")
            XCTAssertEqual(list.status, .ok, list.text)
        }
    }

    func testAnUnauthenticatedRequestIsRefusedAs401WhateverItCarries() async throws {
        try await withEachDatabase { hub in
            for key in ["", "sk_test_wrong"] {
                let reply = try await hub.request(.GET, "/v1/payment_intents?starting_after=4242424242424242", key: key)
                XCTAssertEqual(reply.status, .unauthorized, "the guard reads nothing of a request that is not authenticated: \(reply.text)")
            }
            let authenticated = try await hub.request(.GET, "/v1/payment_intents?starting_after=4242424242424242")
            XCTAssertEqual(authenticated.errorCode, "card_data_not_allowed")
        }
    }
}
