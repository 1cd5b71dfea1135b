import Foundation
import NIOConcurrencyHelpers
@testable import PayHubServer
import XCTVapor

/// Issue 6, 2.3: webhook URLs allowed server-side request forgery.
final class WebhookTargetPolicyTests: XCTestCase {
    /// Every spelling of a private, loopback, link-local, CGNAT, multicast or unspecified address.
    static let privateURLs = [
        "http://169.254.169.254/latest/meta-data", "http://127.0.0.1/x", "http://2130706433/x", "http://0x7f000001/x",
        "http://0x7f.1/x", "http://127.1/x", "http://017700000001/x", "http://[::ffff:127.0.0.1]/x", "http://[::ffff:7f00:1]/x",
        "http://[::1]/x", "http://[::]/x", "http://0.0.0.0/x", "http://0/x", "http://10.0.0.5/x", "http://172.16.0.1/x",
        "http://192.168.1.1/x", "http://100.64.0.1/x", "http://224.0.0.1/x", "http://255.255.255.255/x", "http://[fe80::1]/x",
        "http://[fd00::1]/x", "http://[ff02::1]/x", "http://[::ffff:169.254.169.254]/x", "http://[64:ff9b::a00:1]/x",
        "http://[2002:7f00:1::]/x", "http://localhost/x", "http://api.localhost/x", "http://metadata.google.internal/x",
        "http://intranet/x",
    ]

    func testTestModeWebhookEndpointsRefusePrivateAddressesInEveryForm() async throws {
        try await withEachDatabase(environment: ["PAYHUB_WEBHOOK_ALLOW_PRIVATE": "false"]) { hub in
            for url in Self.privateURLs {
                let reply = try await hub.request(.POST, "/v1/webhook_endpoints", json: ["url": url])
                XCTAssertEqual(reply.errorCode, "url_invalid", url)
                let live = try await hub.request(.POST, "/v1/webhook_endpoints", json: ["url": url.replacingOccurrences(of: "http:", with: "https:")],
                                                 key: hub.merchant.secretKeyLive)
                XCTAssertEqual(live.errorCode, "url_invalid", url)
            }
            for url in ["https://hooks.example.com/payhub", "http://93.184.216.34/x", "http://[2606:4700::1111]/x"] {
                let reply = try await hub.request(.POST, "/v1/webhook_endpoints", json: ["url": url])
                XCTAssertEqual(reply.status, .created, "\(url): \(reply.text)")
            }
        }
    }

    func testPrivateWebhookTargetsOnlyWhenTheOperatorAllowsThem() throws {
        let base = ["PAYHUB_MASTER_KEY": Data(repeating: 7, count: 32).base64EncodedString(), "PAYHUB_DATA_DIR": "/tmp/unused"]
        XCTAssertFalse(try PayHubConfig.load(environment: base).webhookAllowsPrivate, "off by default")
        XCTAssertTrue(try PayHubConfig.load(environment: base.merging(["PAYHUB_WEBHOOK_ALLOW_PRIVATE": "true"]) { $1 }).webhookAllowsPrivate)
        XCTAssertThrowsError(try PayHubConfig.load(environment: base.merging(["PAYHUB_WEBHOOK_ALLOW_PRIVATE": "maybe"]) { $1 }))
        let policy = WebhookTargetPolicy(allowsPrivate: true)
        XCTAssertTrue(policy.permits(IPAddress("127.0.0.1")!))
        XCTAssertFalse(policy.permits(IPAddress("0.0.0.0")!), "unspecified is never a receiver")
        XCTAssertFalse(policy.permits(IPAddress("ff02::1")!), "multicast is never a receiver")
    }

    func testAddressClassification() throws {
        let closed = WebhookTargetPolicy(allowsPrivate: false)
        for text in ["127.0.0.1", "10.1.2.3", "172.31.255.255", "192.168.0.1", "169.254.169.254", "100.64.0.1", "100.127.255.255",
                     "0.0.0.0", "224.0.0.251", "239.255.255.250", "255.255.255.255", "::", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
                     "::127.0.0.1", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "64:ff9b::7f00:1", "2001:db8::1", "2002:a00:1::"] {
            XCTAssertFalse(closed.permits(try XCTUnwrap(IPAddress(text), text)), text)
        }
        for text in ["93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"] {
            XCTAssertTrue(closed.permits(try XCTUnwrap(IPAddress(text), text)), text)
        }
        // The forms the C resolver reads as numbers are read as numbers here too.
        for text in ["2130706433", "0x7f000001", "0x7f.1", "127.1", "017700000001"] {
            XCTAssertEqual(WebhookTargetPolicy.literalAddress(text), IPAddress("127.0.0.1"), text)
        }
    }

    func testWebhooksToPrivateAddressesAreRefusedAtConnectTime() async throws {
        let receiver = try await LocalReceiver.start()
        let resolver = ScriptedResolver([
            "public-and-private.example": [["93.184.216.34", "10.0.0.1"]], "metadata.example": [["169.254.169.254"]],
            "cgnat.example": [["100.64.0.1"]], "mapped.example": [["::ffff:127.0.0.1"]], "localhost": [["127.0.0.1", "::1"]],
        ])
        let transport = HTTPWebhookTransport(
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, policy: WebhookTargetPolicy(allowsPrivate: false), resolver: resolver)
        let port = receiver.port
        let urls = [
            "http://127.0.0.1:\(port)/hook", "http://2130706433:\(port)/hook", "http://0x7f.1:\(port)/hook",
            "http://[::ffff:127.0.0.1]:\(port)/hook", "http://localhost:\(port)/hook", "http://public-and-private.example:\(port)/hook",
            "http://metadata.example/hook", "http://cgnat.example/hook", "http://mapped.example:\(port)/hook",
        ]
        for url in urls {
            do {
                _ = try await transport.post(url: url, headers: [], body: [], timeout: 5)
                XCTFail("\(url) was called")
            } catch {
                XCTAssertEqual(error as? WebhookDeliveryFailure, .targetRefused, url)
            }
        }
        // Numeric hosts go through the real resolver, exactly as a connection would.
        let real = HTTPWebhookTransport(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, policy: WebhookTargetPolicy(allowsPrivate: false))
        for url in ["http://2130706433:\(port)/hook", "http://127.1:\(port)/hook", "http://localhost:\(port)/hook"] {
            do {
                _ = try await real.post(url: url, headers: [], body: [], timeout: 5)
                XCTFail("\(url) was called")
            } catch {
                XCTAssertEqual(error as? WebhookDeliveryFailure, .targetRefused, url)
            }
        }
        XCTAssertEqual(receiver.hits.count, 0, "nothing reached the private receiver")
        await transport.shutdown()
        await real.shutdown()
        try await receiver.stop()
    }

    func testDNSRebindingCannotChangeTheAddressConnectedTo() async throws {
        let receiver = try await LocalReceiver.start()
        // The first answer is the one checked; every later answer points elsewhere. A transport that resolved again
        // (or let the HTTP client resolve the name) would not reach the receiver.
        let resolver = ScriptedResolver(["rebind.test": [["127.0.0.1"], ["169.254.169.254"]]])
        let transport = HTTPWebhookTransport(
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, policy: WebhookTargetPolicy(allowsPrivate: true), resolver: resolver)
        let response = try await transport.post(url: "http://rebind.test:\(receiver.port)/hook", headers: [], body: Array("{}".utf8), timeout: 5)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(resolver.lookups("rebind.test"), 1, "resolved once: the checked address is the one connected to")
        XCTAssertEqual(receiver.hits.first?.host, "rebind.test:\(receiver.port)", "the name stays in the Host header")

        let closed = HTTPWebhookTransport(
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, policy: WebhookTargetPolicy(allowsPrivate: false),
            resolver: ScriptedResolver(["rebind.test": [["169.254.169.254"], ["127.0.0.1"]]]))
        do {
            _ = try await closed.post(url: "http://rebind.test:\(receiver.port)/hook", headers: [], body: [], timeout: 5)
            XCTFail("a rebinding name reached a private address")
        } catch {
            XCTAssertEqual(error as? WebhookDeliveryFailure, .targetRefused)
        }
        XCTAssertEqual(receiver.hits.count, 1)
        await transport.shutdown()
        await closed.shutdown()
        try await receiver.stop()
    }

    func testWebhookRedirectsAreNotFollowed() async throws {
        let receiver = try await LocalReceiver.start()
        let transport = HTTPWebhookTransport(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, policy: WebhookTargetPolicy(allowsPrivate: true))
        let response = try await transport.post(url: "http://127.0.0.1:\(receiver.port)/redirect", headers: [], body: [], timeout: 5)
        XCTAssertEqual(response.status, 307)
        XCTAssertEqual(receiver.hits.map(\.path), ["/redirect"], "the redirect's target was never called")
        await transport.shutdown()
        try await receiver.stop()
    }

    func testWebhookResponseExcerptsAreShort() async throws {
        let receiver = try await LocalReceiver.start()
        let transport = HTTPWebhookTransport(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, policy: WebhookTargetPolicy(allowsPrivate: true))
        let response = try await transport.post(url: "http://127.0.0.1:\(receiver.port)/big", headers: [], body: [], timeout: 5)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.bodyExcerpt.utf8.count, HTTPWebhookTransport.excerptLimit)
        await transport.shutdown()
        try await receiver.stop()
    }

    func testRefusedWebhookTargetsShowNoResponseOrErrorTextInTheDeliveryLog() async throws {
        let receiver = try await LocalReceiver.start()
        // The endpoint was created while private targets were allowed; deliveries now go through a transport that refuses them.
        let transport = HTTPWebhookTransport(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, policy: WebhookTargetPolicy(allowsPrivate: false))
        try await withEachDatabase(webhookTransport: transport) { hub in
            let endpoint = try await hub.request(.POST, "/v1/webhook_endpoints", json: ["url": "http://127.0.0.1:\(receiver.port)/hook"])
            XCTAssertEqual(endpoint.status, .created, endpoint.text)
            _ = try await hub.pay()
            let delivered = try await hub.deliveryWorker.runOnce()
            XCTAssertGreaterThan(delivered, 0)
            let events = try await hub.request(.GET, "/v1/events")
            let eventID = try XCTUnwrap((events["data"] as? [[String: Any]])?.first?["id"] as? String)
            let deliveries = try await hub.request(.GET, "/v1/events/\(eventID)/deliveries")
            let attempts = try XCTUnwrap(((deliveries["data"] as? [[String: Any]])?.first?["attempts"]) as? [[String: Any]])
            XCTAssertEqual(attempts.count, 1, deliveries.text)
            XCTAssertNil(attempts[0]["response_excerpt"] as? String)
            XCTAssertNil(attempts[0]["status_code"] as? Int)
            XCTAssertEqual(attempts[0]["error"] as? String, WebhookDeliveryFailure.targetRefused.description)
        }
        XCTAssertEqual(receiver.hits.count, 0)
        try await receiver.stop()
    }
}

/// Answers names from a script: the n-th lookup of a name gets its n-th answer (the last one repeats).
final class ScriptedResolver: WebhookHostResolver, @unchecked Sendable {
    private let answers: [String: [[String]]]
    private let counts = NIOLockedValueBox<[String: Int]>([:])

    init(_ answers: [String: [[String]]]) {
        self.answers = answers
    }

    func lookups(_ host: String) -> Int { counts.withLockedValue { $0[host] ?? 0 } }

    func addresses(of host: String) async throws -> [IPAddress] {
        let index = counts.withLockedValue { counts in
            defer { counts[host, default: 0] += 1 }
            return counts[host] ?? 0
        }
        guard let script = answers[host], !script.isEmpty else { throw HostResolver.Failed() }
        return script[min(index, script.count - 1)].compactMap(IPAddress.init)
    }
}

/// A webhook receiver on 127.0.0.1: `/hook` answers 200, `/redirect` a 307 to `/hook`, `/big` a 10 kB body.
final class LocalReceiver: @unchecked Sendable {
    struct Hit: Sendable {
        var path: String
        var host: String?
    }

    let app: Application
    let port: Int
    private let recorded: NIOLockedValueBox<[Hit]>

    var hits: [Hit] { recorded.withLockedValue { $0 } }

    private init(app: Application, port: Int, recorded: NIOLockedValueBox<[Hit]>) {
        self.app = app
        self.port = port
        self.recorded = recorded
    }

    static func start() async throws -> LocalReceiver {
        let app = try await Application.make(.testing)
        let recorded = NIOLockedValueBox<[Hit]>([])
        let record: @Sendable (Request) -> Void = { request in
            recorded.withLockedValue { $0.append(Hit(path: request.url.path, host: request.headers.first(name: .host))) }
        }
        app.post("hook") { request -> String in
            record(request)
            return "ok"
        }
        app.post("redirect") { request -> Response in
            record(request)
            return request.redirect(to: "/hook", redirectType: .temporary)
        }
        app.post("big") { request -> String in
            record(request)
            return String(repeating: "x", count: 10_000)
        }
        app.http.server.configuration.hostname = "127.0.0.1"
        app.http.server.configuration.port = 0
        try await app.asyncBoot()
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = try XCTUnwrap(app.http.server.shared.localAddress?.port)
        return LocalReceiver(app: app, port: port, recorded: recorded)
    }

    func stop() async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
    }
}
