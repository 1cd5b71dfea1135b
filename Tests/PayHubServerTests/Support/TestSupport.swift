import Crypto
import Fluent
import FluentPostgresDriver
import Foundation
import NIOConcurrencyHelpers
import PayHubConnectors
import PayHubCore
import PayHubMail
@testable import PayHubServer
import XCTVapor

/// A clock tests move by hand.
final class TestClock: WallClock, @unchecked Sendable {
    private let current = NIOLockedValueBox(Date(timeIntervalSince1970: 1_800_000_000))
    func now() -> Date { current.withLockedValue { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLockedValue { $0 = $0.addingTimeInterval(seconds) } }
    func set(_ date: Date) { current.withLockedValue { $0 = date } }
}

/// Records webhook requests and answers them as a test says.
final class RecordingTransport: WebhookTransport, @unchecked Sendable {
    struct Sent: Sendable {
        var url: String
        var headers: [String: String]
        var body: [UInt8]
    }

    private let state = NIOLockedValueBox<(sent: [Sent], answer: @Sendable (Sent) throws -> WebhookResponse)>(
        ([], { _ in WebhookResponse(status: 200, headers: [], bodyExcerpt: "ok") }))

    var sent: [Sent] { state.withLockedValue { $0.sent } }
    private let delay = NIOLockedValueBox<@Sendable (String) -> TimeInterval>({ _ in 0 })

    /// Makes the receiver at some URLs slow to answer (without blocking a thread).
    func delay(_ seconds: @escaping @Sendable (String) -> TimeInterval) {
        delay.withLockedValue { $0 = seconds }
    }

    private let gate = NIOLockedValueBox<(held: @Sendable (String) -> Bool, waiting: [CheckedContinuation<Void, Never>])>(({ _ in false }, []))

    /// Makes requests to the URLs `held` picks wait, without a timer, until `release()`.
    func hold(_ held: @escaping @Sendable (String) -> Bool) {
        gate.withLockedValue { $0.held = held }
    }

    func release() {
        let waiting = gate.withLockedValue { gate in
            defer { gate = ({ _ in false }, []) }
            return gate.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    /// Requests waiting for `release()`.
    var holding: Int { gate.withLockedValue { $0.waiting.count } }

    func answer(_ reply: @escaping @Sendable (Sent) throws -> WebhookResponse) {
        state.withLockedValue { $0.answer = reply }
    }

    private let startedCount = NIOLockedValueBox(0)
    /// Requests begun, answered or not.
    var started: Int { startedCount.withLockedValue { $0 } }

    func post(url: String, headers: [(String, String)], body: [UInt8], timeout: TimeInterval) async throws -> WebhookResponse {
        startedCount.withLockedValue { $0 += 1 }
        let sent = Sent(url: url, headers: Dictionary(headers, uniquingKeysWith: { a, _ in a }), body: body)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let held = gate.withLockedValue { gate in
                guard gate.held(url) else { return false }
                gate.waiting.append(continuation)
                return true
            }
            if !held { continuation.resume() }
        }
        let wait = delay.withLockedValue { $0 }(url)
        if wait > 0 { try await Task.sleep(nanoseconds: UInt64(wait * 1_000_000_000)) }
        let reply = state.withLockedValue { state in
            state.sent.append(sent)
            return state.answer
        }
        return try reply(sent)
    }
}

enum TestDatabase: CustomStringConvertible {
    case sqlite
    case postgres(adminURL: String)

    var description: String {
        switch self {
        case .sqlite: "SQLite"
        case .postgres: "PostgreSQL"
        }
    }

    /// SQLite always; PostgreSQL when `PAYHUB_TEST_POSTGRES_URL` names a server (CI provides one).
    static var all: [TestDatabase] {
        guard let url = ProcessInfo.processInfo.environment["PAYHUB_TEST_POSTGRES_URL"], !url.isEmpty else {
            PostgresSkipNotice.once()
            return [.sqlite]
        }
        return [.sqlite, .postgres(adminURL: url)]
    }
}

enum PostgresSkipNotice {
    private static let shown = NIOLockedValueBox(false)
    static func once() {
        let first = shown.withLockedValue { shown in defer { shown = true }; return !shown }
        if first { print("note: PAYHUB_TEST_POSTGRES_URL is not set: PostgreSQL variants of the server tests are SKIPPED (SQLite only).") }
    }
}

/// One PayHub under test: a clean database, a fixed clock, a recording webhook transport, an in-memory mail outbox,
/// the log SMS gateway, workers off.
final class TestHub: @unchecked Sendable {
    let app: Application
    let clock: TestClock
    let transport: RecordingTransport
    var mail: InMemoryMailOutbox { context.mail as! InMemoryMailOutbox }
    var sms: LogSMSGateway { context.sms as! LogSMSGateway }
    let database: TestDatabase
    let merchant: MerchantCredentials
    private let cleanup: @Sendable () async throws -> Void

    var context: PayHubContext { app.payhub }
    var secretKey: String { merchant.secretKeyTest }

    static func start(
        _ database: TestDatabase, databaseName: String? = nil, migrate: Bool = true, environment: [String: String] = [:],
        connectors: [any PaymentConnector] = [SandboxConnector(settlementDelay: 2)], webhookTransport: (any WebhookTransport)? = nil
    ) async throws -> TestHub {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("payhub-test-" + UUID().uuidString).path
        var env = [
            "PAYHUB_DATA_DIR": directory, "PAYHUB_WORKERS": "off", "LOG_LEVEL": "error",
            "PAYHUB_MASTER_KEY": Data(repeating: 7, count: 32).base64EncodedString(),
            "PAYHUB_PUBLIC_URL": "http://payhub.test",
            // Test receivers live on 127.0.0.1 (tests of the SSRF policy turn this off).
            "PAYHUB_WEBHOOK_ALLOW_PRIVATE": "true",
        ]
        var dropDatabase: (@Sendable () async throws -> Void)?
        if case .postgres(let adminURL) = database {
            let name = databaseName ?? "payhub_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
            if databaseName == nil { try await PostgresAdmin.run("CREATE DATABASE \(name)", adminURL: adminURL) }
            env["DATABASE_URL"] = PostgresAdmin.url(adminURL, database: String(name))
            if databaseName == nil {
                dropDatabase = { try await PostgresAdmin.run("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", adminURL: adminURL) }
            }
        }
        for (key, value) in environment { env[key] = value }
        let config = try PayHubConfig.load(environment: env)
        let clock = TestClock()
        let transport = RecordingTransport()
        let app = try await Application.make(.testing)
        let ids = SecureRandomIDGenerator()
        let context = PayHubContext(
            config: config, clock: clock, ids: ids,
            connectors: ConnectorRegistry(connectors),
            webhookTransport: webhookTransport ?? transport,
            mail: InMemoryMailOutbox(renderer: NotificationTransports.renderer(config: config, clock: clock, ids: ids)),
            sms: LogSMSGateway(ids: ids), invoiceRenderers: TestInvoiceRenderer.all)
        do {
            try await configure(app, config: config, context: context)
            if migrate { try await app.autoMigrate() }
        } catch {
            try? await app.asyncShutdown()
            try? await dropDatabase?()
            throw error
        }
        let merchant = try await MerchantService(context: context, db: app.db).create(name: "Test Shop")
        let drop = dropDatabase
        return TestHub(app: app, clock: clock, transport: transport, database: database, merchant: merchant) {
            try? FileManager.default.removeItem(atPath: directory)
            try await drop?()
        }
    }

    private init(
        app: Application, clock: TestClock, transport: RecordingTransport, database: TestDatabase, merchant: MerchantCredentials,
        cleanup: @escaping @Sendable () async throws -> Void
    ) {
        self.app = app
        self.clock = clock
        self.transport = transport
        self.database = database
        self.merchant = merchant
        self.cleanup = cleanup
    }

    func stop() async throws {
        try await app.asyncShutdown()
        try await cleanup()
    }

    struct Reply: @unchecked Sendable {
        var status: HTTPResponseStatus
        var headers: HTTPHeaders
        var json: [String: Any]
        var text: String

        subscript(key: String) -> Any? { json[key] }
        var id: String { json["id"] as? String ?? "" }
        var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
        var errorType: String? { (json["error"] as? [String: Any])?["type"] as? String }
        var errorParam: String? { (json["error"] as? [String: Any])?["param"] as? String }
    }

    /// Sends an API request with the merchant's secret key (or `key`).
    @discardableResult
    func request(
        _ method: HTTPMethod, _ path: String, json: Any? = nil, raw: String? = nil, key: String? = nil,
        headers extra: [(String, String)] = []
    ) async throws -> Reply {
        var headers = HTTPHeaders()
        if let bearer = key ?? secretKey as String?, !bearer.isEmpty { headers.bearerAuthorization = .init(token: bearer) }
        var body = ByteBuffer()
        if let json {
            body.writeBytes(try JSONSerialization.data(withJSONObject: json))
            headers.contentType = .json
        } else if let raw {
            body.writeString(raw)
            headers.contentType = .json
        }
        for (name, value) in extra { headers.replaceOrAdd(name: name, value: value) }
        let response = try await app.testable().performTest(
            request: TestingHTTPRequest(method: method, url: URI(path: path), headers: headers, body: body))
        let text = response.body.string
        let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        return Reply(status: response.status, headers: response.headers, json: object, text: text)
    }

    /// Creates an intent and pays it with a sandbox token; returns the attempt's reply.
    func pay(amount: Int = 1000, currency: String = "EUR", token: String = "tok_visa", capture: String = "automatic") async throws -> Reply {
        let intent = try await request(.POST, "/v1/payment_intents", json: ["amount": amount, "currency": currency, "capture_method": capture])
        XCTAssertEqual(intent.status, .created, intent.text)
        return try await request(
            .POST, "/v1/payment_intents/\(intent.id)/payments", json: ["payment_method": ["type": "card", "token": token]])
    }

    func run(_ worker: (TestHub) async throws -> Int) async throws -> Int { try await worker(self) }

    /// This hub's job scheduler (its workers are off: tests run jobs by hand).
    var scheduler: JobScheduler { JobScheduler.standard(context: context, db: app.db, logger: app.logger) }
    var deliveryWorker: JobLane { JobLane(scheduler: scheduler, kinds: [.webhookDelivery]) }
    var simulator: JobLane { JobLane(scheduler: scheduler, kinds: [.sandboxSettlement]) }
    var reversals: JobLane { JobLane(scheduler: scheduler, kinds: [.lateSuccessReversal]) }
    var poller: StatusCheckSweep { StatusCheckSweep(context: context, db: app.db, logger: app.logger) }
}

/// Runs the due jobs of some kinds, as the scheduler's lanes would.
struct JobLane: Sendable {
    let scheduler: JobScheduler
    let kinds: [JobKind]

    /// Runs every job of these kinds due now (and those they make due); returns how many runs there were.
    @discardableResult
    func runOnce(limit: Int = 100) async throws -> Int { try await scheduler.runDue(kinds, limit: limit) }

    /// The whole scheduler, as `payhub serve` runs it, until cancelled.
    func run() async { await scheduler.run() }
}

extension StatusCheckSweep {
    @discardableResult
    func runOnce() async throws -> Int { try await checkDue() }
}

/// Runs `body` against a fresh hub on every available database.
func withEachDatabase(
    environment: [String: String] = [:], webhookTransport: (any WebhookTransport)? = nil, _ body: (TestHub) async throws -> Void,
    file: StaticString = #filePath, line: UInt = #line
) async throws {
    for database in TestDatabase.all {
        let hub = try await TestHub.start(database, environment: environment, webhookTransport: webhookTransport)
        do {
            try await body(hub)
        } catch {
            XCTFail("[\(database)] \(error)", file: file, line: line)
        }
        try await hub.stop()
    }
}

/// Creating and dropping test databases through the admin connection.
enum PostgresAdmin {
    static func url(_ adminURL: String, database: String) -> String {
        guard var components = URLComponents(string: adminURL) else { return adminURL }
        components.path = "/" + database
        return components.string ?? adminURL
    }

    static func run(_ statement: String, adminURL: String) async throws {
        let app = try await Application.make(.testing)
        do {
            app.databases.use(.postgres(configuration: try SQLPostgresConfiguration(url: adminURL)), as: .psql)
            try await (app.db as! any SQLDatabase).raw(SQLQueryString(statement)).run()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}

extension TestHub {
    /// Opens an authentication page as a browser would: its HTML and the CSRF cookie and form token it hands out.
    func openPage(_ path: String) async throws -> (html: String, token: String?, cookie: String?, headers: HTTPHeaders) {
        let page = try await app.testable().performTest(request: .init(method: .GET, url: URI(path: path), headers: [:], body: ByteBuffer()))
        let html = page.body.string
        let token = html.range(of: #"name="csrf_token" value="([^"]+)""#, options: .regularExpression).map { match in
            String(html[match].dropFirst(#"name="csrf_token" value=""#.count).dropLast())
        }
        return (html, token, page.headers.setCookie?[AuthenticationPageGuard.cookieName]?.string, page.headers)
    }

    /// Posts the page's form (the decision, the CSRF token and cookie given, or the page's own ones).
    func submitPage(_ path: String, decision: String, token: String?, cookie: String?) async throws -> XCTHTTPResponse {
        var headers = HTTPHeaders()
        headers.contentType = .urlEncodedForm
        if let cookie { headers.replaceOrAdd(name: .cookie, value: "\(AuthenticationPageGuard.cookieName)=\(cookie)") }
        var body = "decision=\(decision)"
        if let token { body += "&csrf_token=\(token)" }
        return try await app.testable().performTest(request: .init(method: .POST, url: URI(path: path), headers: headers, body: ByteBuffer(string: body)))
    }

    /// Opens the page and decides on it, as the customer does.
    func decideOnPage(_ path: String, decision: String) async throws -> XCTHTTPResponse {
        let page = try await openPage(path)
        return try await submitPage(path, decision: decision, token: page.token, cookie: page.cookie)
    }
}
