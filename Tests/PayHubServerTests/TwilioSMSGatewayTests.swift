import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
@testable import PayHubServer
import XCTVapor

/// The Twilio gateway against a local fake of the Messages API that checks the documented request.
final class TwilioSMSGatewayTests: XCTestCase {
    static let accountSID = "AC" + String(repeating: "a1", count: 16)
    static let authToken = "tw-auth-token-secret"

    func testSendsTheDocumentedRequestAndReadsTheCreatedMessage() async throws {
        let twilio = try await FakeTwilio.start()
        let gateway = TwilioSMSGateway(
            client: .shared, credentials: .init(accountSID: Self.accountSID, authToken: Self.authToken), sender: .init("+15005550006"),
            baseURL: twilio.baseURL, statusCallback: "https://pay.example.com/sms/status")
        let receipt = try await gateway.send(to: "+393331234567", text: "Pay here: https://pay.example.com/l/1?a=b&c=d — grazie")
        XCTAssertEqual(receipt, SMSReceipt(messageID: "SM" + String(repeating: "b2", count: 16), status: .queued))

        let request = try XCTUnwrap(twilio.requests.first)
        XCTAssertEqual(twilio.requests.count, 1)
        XCTAssertEqual(request.path, "/2010-04-01/Accounts/\(Self.accountSID)/Messages.json")
        XCTAssertEqual(request.contentType, "application/x-www-form-urlencoded")
        XCTAssertEqual(request.authorization, "Basic " + Data("\(Self.accountSID):\(Self.authToken)".utf8).base64EncodedString())
        XCTAssertEqual(request.form, [
            "To": "+393331234567", "From": "+15005550006", "Body": "Pay here: https://pay.example.com/l/1?a=b&c=d — grazie",
            "StatusCallback": "https://pay.example.com/sms/status",
        ])
        try await twilio.stop()
    }

    func testAMessagingServiceSendsAsMessagingServiceSid() async throws {
        let twilio = try await FakeTwilio.start()
        let service = "MG" + String(repeating: "c3", count: 16)
        let gateway = TwilioSMSGateway(
            client: .shared, credentials: .init(accountSID: Self.accountSID, authToken: Self.authToken), sender: .init(service),
            baseURL: twilio.baseURL)
        _ = try await gateway.send(to: "+15558675310", text: "hi")
        XCTAssertEqual(twilio.requests.first?.form, ["To": "+15558675310", "MessagingServiceSid": service, "Body": "hi"])
        try await twilio.stop()
    }

    func testErrorResponsesCarryTwiliosCodeAndMessage() async throws {
        let twilio = try await FakeTwilio.start()
        let gateway = TwilioSMSGateway(
            client: .shared, credentials: .init(accountSID: Self.accountSID, authToken: Self.authToken), sender: .init("+15005550006"),
            baseURL: twilio.baseURL)
        do {
            _ = try await gateway.send(to: "+15005550001", text: "hi")
            XCTFail("sent")
        } catch let error as SMSGatewayError {
            XCTAssertEqual(error, .refused(
                httpStatus: 400, code: 21211, message: "The 'To' number +15005550001 is not a valid phone number.",
                moreInfo: "https://www.twilio.com/docs/errors/21211"))
            XCTAssertFalse(error.isTransient)
        }
        let wrongToken = TwilioSMSGateway(
            client: .shared, credentials: .init(accountSID: Self.accountSID, authToken: "wrong"), sender: .init("+15005550006"),
            baseURL: twilio.baseURL)
        do {
            _ = try await wrongToken.send(to: "+15558675310", text: "hi")
            XCTFail("sent")
        } catch let error as SMSGatewayError {
            guard case .refused(401, 20003, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertFalse(error.description.contains("wrong"), "the token is never in an error")
        }
        do {
            _ = try await gateway.send(to: "+15005550009", text: "busy")
            XCTFail("sent")
        } catch let error as SMSGatewayError {
            XCTAssertEqual(error, .refused(httpStatus: 429, code: 20429, message: "Too Many Requests", moreInfo: nil))
            XCTAssertTrue(error.isTransient)
        }
        try await twilio.stop()
        // Nothing listens on port 1 (AsyncHTTPClient retries a refused connection until the deadline).
        let nowhere = TwilioSMSGateway(
            client: .shared, credentials: .init(accountSID: Self.accountSID, authToken: Self.authToken), sender: .init("+15005550006"),
            baseURL: "http://127.0.0.1:1", timeout: 1)
        do {
            _ = try await nowhere.send(to: "+15558675310", text: "hi")
            XCTFail("sent")
        } catch let error as SMSGatewayError {
            guard case .unreachable = error else { return XCTFail("\(error)") }
            XCTAssertTrue(error.isTransient)
        }
    }

    func testTheLogGatewayRecordsAndSendsNothing() async throws {
        try await withEachDatabase { hub in
            let receipt = try await hub.context.sms.send(to: "+15558675310", text: "Your link: https://pay.example/l/1")
            XCTAssertEqual(receipt.status, .sent)
            XCTAssertEqual(hub.sms.sent, [.init(to: "+15558675310", text: "Your link: https://pay.example/l/1", messageID: receipt.messageID)])
        }
    }
}

/// Twilio's Messages API as documented, on 127.0.0.1: checks basic auth, answers 201 with the created message,
/// 400 `21211` for `+15005550001` (Twilio's invalid test number), 429 for `+15005550009`.
final class FakeTwilio: @unchecked Sendable {
    struct Received: Sendable {
        var path: String
        var authorization: String?
        var contentType: String?
        var form: [String: String]
    }

    let app: Application
    let port: Int
    private let recorded: NIOLockedValueBox<[Received]>

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var requests: [Received] { recorded.withLockedValue { $0 } }

    private init(app: Application, port: Int, recorded: NIOLockedValueBox<[Received]>) {
        self.app = app
        self.port = port
        self.recorded = recorded
    }

    static func start() async throws -> FakeTwilio {
        let app = try await Application.make(.testing)
        let recorded = NIOLockedValueBox<[Received]>([])
        let expected = "Basic " + Data("\(TwilioSMSGatewayTests.accountSID):\(TwilioSMSGatewayTests.authToken)".utf8).base64EncodedString()
        app.post("2010-04-01", "Accounts", ":account", "Messages.json") { request -> Response in
            let body = request.body.string ?? ""
            var form: [String: String] = [:]
            for pair in body.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
                form[parts[0]] = parts.count > 1 ? parts[1] : ""
            }
            recorded.withLockedValue {
                $0.append(Received(
                    path: request.url.path, authorization: request.headers.first(name: .authorization),
                    contentType: request.headers.first(name: .contentType), form: form))
            }
            func json(_ status: HTTPResponseStatus, _ object: [String: Any?]) throws -> Response {
                let data = try JSONSerialization.data(withJSONObject: object.mapValues { $0 ?? NSNull() })
                return Response(status: status, headers: ["Content-Type": "application/json"], body: .init(data: data))
            }
            guard request.headers.first(name: .authorization) == expected else {
                return try json(.unauthorized, [
                    "code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401,
                ])
            }
            switch form["To"] {
            case "+15005550001":
                return try json(.badRequest, [
                    "code": 21211, "message": "The 'To' number +15005550001 is not a valid phone number.",
                    "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400,
                ])
            case "+15005550009":
                return try json(.tooManyRequests, ["code": 20429, "message": "Too Many Requests", "more_info": nil, "status": 429])
            default:
                let account = request.parameters.get("account") ?? ""
                let sid = "SM" + String(repeating: "b2", count: 16)
                return try json(.created, [
                    "account_sid": account, "api_version": "2010-04-01", "body": form["Body"], "date_created": "Thu, 24 Aug 2023 05:01:45 +0000",
                    "date_sent": nil, "date_updated": "Thu, 24 Aug 2023 05:01:45 +0000", "direction": "outbound-api", "error_code": nil,
                    "error_message": nil, "from": form["From"], "messaging_service_sid": form["MessagingServiceSid"], "num_media": "0",
                    "num_segments": "1", "price": nil, "price_unit": nil, "sid": sid, "status": "queued", "to": form["To"],
                    "uri": "/2010-04-01/Accounts/\(account)/Messages/\(sid).json",
                ])
            }
        }
        try await app.asyncBoot()
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = try XCTUnwrap(app.http.server.shared.localAddress?.port)
        return FakeTwilio(app: app, port: port, recorded: recorded)
    }

    func stop() async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
    }
}
