import Crypto
import Fluent
import Foundation
import PayHubCore
import SQLKit
@testable import PayHubServer
import XCTVapor

final class WebhookDeliveryTests: XCTestCase {
    func endpoint(_ hub: TestHub, url: String = "http://127.0.0.1:9/hook", events: [String] = ["*"]) async throws -> (id: String, secret: String) {
        let reply = try await hub.request(.POST, "/v1/webhook_endpoints", json: ["url": url, "enabled_events": events])
        XCTAssertEqual(reply.status, .created, reply.text)
        return (reply.id, reply["secret"] as? String ?? "")
    }

    /// The Standard Webhooks check, written independently of the signer.
    func verify(_ sent: RecordingTransport.Sent, secret: String) -> Bool {
        guard let id = sent.headers["webhook-id"], let timestamp = sent.headers["webhook-timestamp"],
              let signatures = sent.headers["webhook-signature"],
              let key = Data(base64Encoded: String(secret.dropFirst("whsec_".count)))
        else { return false }
        let content = Data("\(id).\(timestamp).".utf8) + Data(sent.body)
        let expected = "v1," + Data(HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: key))).base64EncodedString()
        return signatures.split(separator: " ").contains { $0 == expected }
    }

    func testEveryEventIsSignedAndDeliveredOnceToEachSubscribedEndpoint() async throws {
        try await withEachDatabase { hub in
            let all = try await endpoint(hub)
            XCTAssertTrue(all.secret.hasPrefix("whsec_"))
            let refundsOnly = try await endpoint(hub, url: "http://127.0.0.1:9/refunds", events: ["refund.*"])
            let paid = try await hub.pay()
            _ = try await hub.request(.POST, "/v1/refunds", json: ["payment_intent": paid.id, "amount": 100])
            let runs = try await hub.deliveryWorker.runOnce()
            XCTAssertEqual(runs, 2, "one run for each endpoint owed something")
            XCTAssertEqual(hub.transport.sent.count, 4, "3 events to the catch-all endpoint, 1 to the refunds endpoint")
            let again = try await hub.deliveryWorker.runOnce()
            XCTAssertEqual(again, 0)
            XCTAssertEqual(hub.transport.sent.count, 4)

            let sent = hub.transport.sent
            let toAll = sent.filter { $0.url.hasSuffix("/hook") }
            XCTAssertTrue(toAll.allSatisfy { verify($0, secret: all.secret) })
            XCTAssertTrue(sent.filter { $0.url.hasSuffix("/refunds") }.allSatisfy { verify($0, secret: refundsOnly.secret) })
            XCTAssertFalse(verify(toAll[0], secret: refundsOnly.secret))
            let types = toAll.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.body))) as? [String: Any] }.compactMap { $0["type"] as? String }
            XCTAssertEqual(Set(types), ["payment_intent.created", "payment_intent.succeeded", "refund.created"])
            let body = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(toAll[0].body))) as? [String: Any])
            XCTAssertEqual(Set(body.keys), ["type", "timestamp", "data"])
            let events = try await hub.request(.GET, "/v1/events")
            let eventIDs = Set((events["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
            XCTAssertEqual(Set(toAll.compactMap { $0.headers["webhook-id"] }), eventIDs)
        }
    }

    func testFailuresAreRetriedOnTheScheduleAndLogged() async throws {
        try await withEachDatabase { hub in
            let hook = try await endpoint(hub)
            hub.transport.answer { _ in WebhookResponse(status: 500, headers: [], bodyExcerpt: "boom") }
            _ = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 100, "currency": "EUR"])
            try await hub.deliveryWorker.runOnce()
            var deliveryRuns = try await hub.deliveryWorker.runOnce()
            XCTAssertEqual(deliveryRuns, 0, "not due before the first retry")
            hub.clock.advance(6)
            deliveryRuns = try await hub.deliveryWorker.runOnce()
            XCTAssertEqual(deliveryRuns, 1)
            XCTAssertEqual(hub.transport.sent.count, 2)
            hub.transport.answer { _ in WebhookResponse(status: 200, headers: [], bodyExcerpt: "ok") }
            hub.clock.advance(331)
            deliveryRuns = try await hub.deliveryWorker.runOnce()
            XCTAssertEqual(deliveryRuns, 1)
            XCTAssertEqual(hub.transport.sent.count, 3)
            XCTAssertEqual(Set(hub.transport.sent.compactMap { $0.headers["webhook-id"] }).count, 1, "retries keep the event id")

            let firstEvent = try await hub.storedEvents().first
            let event = try XCTUnwrap(firstEvent)
            let log = try await hub.request(.GET, "/v1/events/\(event.id)/deliveries")
            let delivery = try XCTUnwrap((log["data"] as? [[String: Any]])?.first)
            XCTAssertEqual(delivery["status"] as? String, "succeeded")
            XCTAssertEqual(delivery["webhook_endpoint"] as? String, hook.id)
            let attempts = delivery["attempts"] as? [[String: Any]] ?? []
            XCTAssertEqual(attempts.compactMap { $0["status_code"] as? Int }, [500, 500, 200])
            XCTAssertEqual(attempts.first?["response_excerpt"] as? String, "boom")
        }
    }

    /// A batch's tries are written together (on PostgreSQL in two statements): each delivery keeps its own outcome,
    /// and a retried delivery's earlier try moves to its log.
    func testABatchOfTriesRecordsEachDeliverysOwnOutcome() async throws {
        try await withEachDatabase { hub in
            _ = try await endpoint(hub)
            hub.transport.answer { _ in WebhookResponse(status: 500, headers: [], bodyExcerpt: "first") }
            let paid = try await hub.pay()
            _ = try await hub.request(.POST, "/v1/refunds", json: ["payment_intent": paid.id, "amount": 100])
            try await hub.deliveryWorker.runOnce()
            XCTAssertEqual(hub.transport.sent.count, 3)
            hub.transport.answer { sent in
                let type = ((try? JSONSerialization.jsonObject(with: Data(sent.body))) as? [String: Any])?["type"] as? String
                return type == "refund.created"
                    ? WebhookResponse(status: 503, headers: [], bodyExcerpt: "later") : WebhookResponse(status: 204, headers: [], bodyExcerpt: "")
            }
            hub.clock.advance(6)
            try await hub.deliveryWorker.runOnce()
            XCTAssertEqual(hub.transport.sent.count, 6)
            let events = try await hub.storedEvents()
            XCTAssertEqual(events.count, 3)
            for event in events {
                let log = try await hub.request(.GET, "/v1/events/\(event.id)/deliveries")
                let delivery = try XCTUnwrap((log["data"] as? [[String: Any]])?.first)
                let attempts = delivery["attempts"] as? [[String: Any]] ?? []
                let refund = event.type == "refund.created"
                XCTAssertEqual(delivery["status"] as? String, refund ? "pending" : "succeeded", event.type)
                XCTAssertEqual(attempts.compactMap { $0["status_code"] as? Int }, refund ? [500, 503] : [500, 204], event.type)
                XCTAssertEqual(attempts.map { $0["response_excerpt"] as? String }, ["first", refund ? "later" : ""], event.type)
            }
            let owed = try await hub.storedDeliveries(status: "pending")
            XCTAssertEqual(owed.count, 1)
            XCTAssertGreaterThan(try XCTUnwrap(owed.first).nextAttemptAt, hub.clock.now().addingTimeInterval(200), "the second retry waits about 5 minutes")
        }
    }

    func testGivesUpAfterAboutThreeDays() async throws {
        try await withEachDatabase { hub in
            _ = try await endpoint(hub)
            hub.transport.answer { _ in throw URLError(.timedOut) }
            _ = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 100, "currency": "EUR"])
            let started = hub.clock.now()
            var lastTry = started
            for _ in 0..<WebhookDeliveryJob.maximumAttempts + 2 {
                try await hub.deliveryWorker.runOnce()
                let found = try await hub.storedDeliveries().first
                let delivery = try XCTUnwrap(found)
                if delivery.status == "failed" { break }
                lastTry = delivery.nextAttemptAt
                hub.clock.set(delivery.nextAttemptAt.addingTimeInterval(1))
            }
            XCTAssertEqual(hub.transport.sent.count, WebhookDeliveryJob.maximumAttempts)
            let found = try await hub.storedDeliveries().first
            XCTAssertEqual(try XCTUnwrap(found).status, "failed")
            let elapsed = lastTry.timeIntervalSince(started)
            XCTAssertGreaterThan(elapsed, 2.5 * 86_400, "the last try comes after about three days")
            XCTAssertLessThan(elapsed, 3.5 * 86_400)
            let jobs = try await hub.scheduler.list()
            XCTAssertTrue(jobs.isEmpty, "a delivery that gave up leaves no job behind: \(jobs)")
        }
    }

    func testGoneDisablesTheEndpointAndRetryAfterIsHonoured() async throws {
        try await withEachDatabase { hub in
            let gone = try await endpoint(hub, url: "http://127.0.0.1:9/gone")
            let busy = try await endpoint(hub, url: "http://127.0.0.1:9/busy")
            hub.transport.answer { sent in
                sent.url.hasSuffix("/gone")
                    ? WebhookResponse(status: 410, headers: [], bodyExcerpt: "")
                    : WebhookResponse(status: 429, headers: [("Retry-After", "120")], bodyExcerpt: "")
            }
            _ = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 100, "currency": "EUR"])
            try await hub.deliveryWorker.runOnce()
            let disabled = try await hub.request(.GET, "/v1/webhook_endpoints/\(gone.id)")
            XCTAssertEqual(disabled["status"] as? String, "disabled")
            let found = try await hub.storedDeliveries(endpoint: busy.id).first
            let delivery = try XCTUnwrap(found)
            let wait = delivery.nextAttemptAt.timeIntervalSince(hub.clock.now())
            XCTAssertGreaterThanOrEqual(wait, 120, "Retry-After beats the 5 s schedule")
            _ = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 100, "currency": "EUR"])
            let goneCount = try await hub.storedDeliveries(endpoint: gone.id).count
            XCTAssertEqual(goneCount, 1, "a disabled endpoint gets nothing new")
        }
    }

    func testSecretRotationSignsWithBothSecretsFor24Hours() async throws {
        try await withEachDatabase { hub in
            let hook = try await endpoint(hub)
            let rotated = try await hub.request(.POST, "/v1/webhook_endpoints/\(hook.id)/rotate_secret")
            let newSecret = try XCTUnwrap(rotated["secret"] as? String)
            XCTAssertNotEqual(newSecret, hook.secret)
            _ = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 100, "currency": "EUR"])
            try await hub.deliveryWorker.runOnce()
            let during = try XCTUnwrap(hub.transport.sent.last)
            XCTAssertEqual(during.headers["webhook-signature"]?.split(separator: " ").count, 2)
            XCTAssertTrue(verify(during, secret: newSecret))
            XCTAssertTrue(verify(during, secret: hook.secret))
            hub.clock.advance(24 * 3600 + 1)
            _ = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 100, "currency": "EUR"])
            try await hub.deliveryWorker.runOnce()
            let after = try XCTUnwrap(hub.transport.sent.last)
            XCTAssertTrue(verify(after, secret: newSecret))
            XCTAssertFalse(verify(after, secret: hook.secret))
        }
    }

    func testRedeliverAndDelete() async throws {
        try await withEachDatabase { hub in
            let hook = try await endpoint(hub)
            let intent = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 100, "currency": "EUR"])
            try await hub.deliveryWorker.runOnce()
            let found = try await hub.storedEvents(objectID: intent.id).first
            let event = try XCTUnwrap(found)
            let redelivered = try await hub.request(.POST, "/v1/events/\(event.id)/redeliver")
            XCTAssertEqual(redelivered.status, .ok, redelivered.text)
            try await hub.deliveryWorker.runOnce()
            XCTAssertEqual(hub.transport.sent.count, 2)
            let deleted = try await hub.request(.DELETE, "/v1/webhook_endpoints/\(hook.id)")
            XCTAssertEqual(deleted["deleted"] as? Bool, true)
            _ = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 100, "currency": "EUR"])
            try await hub.deliveryWorker.runOnce()
            XCTAssertEqual(hub.transport.sent.count, 2)
            let list = try await hub.request(.GET, "/v1/webhook_endpoints")
            XCTAssertEqual((list["data"] as? [Any])?.count, 0)
        }
    }

    func testASlowReceiverDoesNotHoldUpOthers() async throws {
        try await withEachDatabase(environment: ["PAYHUB_WORKER_INTERVAL": "0.05", "PAYHUB_WEBHOOK_CONCURRENCY": "4"]) { hub in
            _ = try await endpoint(hub, url: "http://127.0.0.1:9/slow")
            _ = try await endpoint(hub, url: "http://127.0.0.1:9/fast")
            // The slow receiver answers nothing until the test lets it: no timer decides the outcome.
            hub.transport.hold { url in url.hasSuffix("/slow") }
            for _ in 0..<3 { _ = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 100, "currency": "EUR"]) }
            let worker = hub.deliveryWorker
            let running = Task { await worker.run() }
            let guardDeadline = Date().addingTimeInterval(30)  // only stops a broken test from hanging
            while hub.transport.sent.filter({ $0.url.hasSuffix("/fast") }).count < 3 && Date() < guardDeadline {
                try await Task.sleep(nanoseconds: 10_000_000)
            }
            XCTAssertEqual(hub.transport.sent.filter { $0.url.hasSuffix("/fast") }.count, 3, "the fast receiver got every event")
            XCTAssertGreaterThan(hub.transport.holding, 0, "while the slow one was still answering")
            XCTAssertEqual(hub.transport.sent.filter { $0.url.hasSuffix("/slow") }.count, 0)
            running.cancel()
            hub.transport.release()
            await running.value
            let done = try await hub.storedDeliveries(status: "succeeded").count
            XCTAssertGreaterThanOrEqual(done, 4, "in-flight deliveries finish and are recorded when the worker stops")
            let leftover = try await hub.storedDeliveries(status: "pending").count
            try await hub.deliveryWorker.runOnce()
            let all = try await hub.storedDeliveries(status: "succeeded").count
            XCTAssertEqual(all, 6, "the rest (\(leftover) not yet claimed at the stop) are delivered by the next run")
        }
    }

    func testDeliveriesMadeWhileTheEndpointsJobIsEndingAreNeverLeftBehind() async throws {
        // No periodic claim rescues a delivery here (the interval is a minute): only the job's own hand-over does.
        try await withEachDatabase(environment: ["PAYHUB_WORKER_INTERVAL": "60"]) { hub in
            _ = try await endpoint(hub)
            let worker = hub.deliveryWorker
            let running = Task { await worker.run() }
            try await eventually { hub.context.jobHandoff.lease(for: .webhookDelivery) != nil }
            // Bursts with pauses, so the endpoint's job keeps running out of work and ending while more arrives.
            for burst in 0..<12 {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<(burst % 3 + 1) {
                        group.addTask { _ = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 100, "currency": "EUR"]) }
                    }
                    try await group.waitForAll()
                }
                try await Task.sleep(nanoseconds: UInt64(burst % 4) * 2_000_000)
            }
            let made = try await hub.storedDeliveries().count
            XCTAssertEqual(made, 24)
            try await eventually { hub.transport.sent.count >= made }
            try await Task.sleep(nanoseconds: 100_000_000)
            running.cancel()
            await running.value
            let ids = hub.transport.sent.compactMap { $0.headers["webhook-id"] }
            XCTAssertEqual(ids.count, made, "every delivery was sent, none twice")
            XCTAssertEqual(Set(ids).count, made)
            let owed = try await hub.storedDeliveries(status: "pending").count
            XCTAssertEqual(owed, 0)
            let jobs = try await hub.scheduler.list()
            XCTAssertTrue(jobs.isEmpty, "an endpoint owed nothing has no job: \(jobs)")
        }
    }

    func testADeliveryAddedAsTheEndpointsJobEndsGetsTheJobBack() async throws {
        try await withEachDatabase { hub in
            let hook = try await endpoint(hub)
            let endpointID = try WebhookEndpointID(parsing: hook.id)
            let context = hub.context
            let db = hub.app.db
            let isPostgres = context.transactor.isPostgres
            try await context.transactor.writeSQL(on: db) { tx in
                try await WebhookDeliveryJob.ensure(endpoint: endpointID, context: context, on: tx)
            }
            let now = context.clock.now()
            let claimed = try await context.transactor.writeSQL(on: db) { tx in
                try await JobStore.claim(
                    kinds: [.webhookDelivery], limit: 1, now: now, leaseUntil: now.addingTimeInterval(60), token: "lease-1",
                    skipLocked: isPostgres, on: tx)
            }
            let job = try XCTUnwrap(claimed.first)
            // The job finds nothing due and is about to end...
            let outcome = try await WebhookDeliveryJob(context: context, db: db, logger: hub.app.logger).run(job)
            XCTAssertEqual(outcome.next, .done)
            let record: @Sendable (any SQLDatabase) async throws -> Void = { tx in
                try await EventRecorder(context: context).record(
                    [.paymentIntentCreated], data: "{}", objectID: "pi_late", merchantID: hub.merchant.id, livemode: false, on: tx)
            }
            let finish: @Sendable () async throws -> Void = {
                try await context.transactor.writeSQL(on: db) { tx in
                    guard try await JobStore.finish(job, outcome.next, now: now, on: tx) else { throw JobLeaseLost(id: job.id) }
                    try await outcome.writes?(tx)
                }
            }
            if isPostgres {
                // ...while an event's transaction, not yet committed, adds a delivery for it.
                let recorded = AsyncStream<Void>.makeStream()
                let commit = AsyncStream<Void>.makeStream()
                let event = Task {
                    try await db.transaction { tx in
                        try await record(tx.sql)
                        recorded.continuation.yield()
                        for await _ in commit.stream { break }
                    }
                }
                for await _ in recorded.stream { break }
                let ending = Task { try await finish() }
                try await Task.sleep(nanoseconds: 300_000_000)
                commit.continuation.yield()
                try await event.value
                try await ending.value
            } else {
                // ...after an event's transaction added a delivery for it (the writer runs them in turn).
                try await context.transactor.writeSQL(on: db) { tx in try await record(tx) }
                try await finish()
            }
            let jobs = try await hub.scheduler.list()
            XCTAssertEqual(jobs.map(\.kind), ["webhook.deliver"], "the endpoint is owed a delivery, so it has its job again")
            try await hub.deliveryWorker.runOnce()
            XCTAssertEqual(hub.transport.sent.count, 1)
        }
    }

    /// Waits (on real time, only so a broken test ends) until `condition` holds.
    private func eventually(_ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(20)
        while try await !condition() && Date() < deadline { try await Task.sleep(nanoseconds: 5_000_000) }
    }

    func testReceiverURLsAreValidated() async throws {
        try await withEachDatabase(environment: ["PAYHUB_WEBHOOK_ALLOW_PRIVATE": "false"]) { hub in
            for url in ["ftp://example.com/x", "not a url", "http://user:pw@example.com/x", "/relative"] {
                let reply = try await hub.request(.POST, "/v1/webhook_endpoints", json: ["url": url])
                XCTAssertEqual(reply.errorCode, "url_invalid", url)
            }
            for url in ["http://example.com/x", "https://127.0.0.1/x", "https://10.0.0.5/x", "https://localhost/x"] {
                let reply = try await hub.request(.POST, "/v1/webhook_endpoints", json: ["url": url], key: hub.merchant.secretKeyLive)
                XCTAssertEqual(reply.errorCode, "url_invalid", url)
            }
            let ok = try await hub.request(.POST, "/v1/webhook_endpoints", json: ["url": "https://hooks.example.com/payhub"], key: hub.merchant.secretKeyLive)
            XCTAssertEqual(ok.status, .created)
            let badFilter = try await hub.request(.POST, "/v1/webhook_endpoints", json: ["url": "https://a.example/x", "enabled_events": ["charge.*"]])
            XCTAssertEqual(badFilter.errorParam, "enabled_events")
        }
    }

    func testTwoProcessesClaimingConcurrentlyNeverDeliverTwice() async throws {
        guard case .some(.postgres(let adminURL)) = TestDatabase.all.last, TestDatabase.all.count == 2 else {
            throw XCTSkip("PAYHUB_TEST_POSTGRES_URL not set: the two-process PostgreSQL delivery test is skipped")
        }
        let first = try await TestHub.start(.postgres(adminURL: adminURL))
        let databaseName = String(URLComponents(string: first.context.config.databaseURL ?? "")?.path.dropFirst() ?? "")
        let second = try await TestHub.start(.postgres(adminURL: adminURL), databaseName: databaseName, migrate: false)
        do {
            // Eight endpoints, each owed 20 events: one job each, which one process at a time runs.
            var hooks: [String] = []
            for index in 0..<8 { hooks.append(try await endpoint(first, url: "http://127.0.0.1:9/hook\(index)").id) }
            XCTAssertEqual(Set(hooks).count, 8)
            for _ in 0..<20 { _ = try await first.request(.POST, "/v1/payment_intents", json: ["amount": 100, "currency": "EUR"]) }
            async let a = first.deliveryWorker.runOnce(limit: 1)
            async let b = second.deliveryWorker.runOnce(limit: 1)
            async let c = first.deliveryWorker.runOnce(limit: 1)
            async let d = second.deliveryWorker.runOnce(limit: 1)
            let runs = try await [a, b, c, d].reduce(0, +)
            XCTAssertEqual(runs, 8, "every endpoint's job ran exactly once between the four claimers")
            let sent = (first.transport.sent + second.transport.sent).map { "\($0.url) \($0.headers["webhook-id"] ?? "")" }
            XCTAssertEqual(sent.count, 160)
            XCTAssertEqual(Set(sent).count, 160, "no event delivered twice to one endpoint")
            XCTAssertFalse(first.transport.sent.isEmpty, "the first process took part")
            XCTAssertFalse(second.transport.sent.isEmpty, "the second process took part")
            let owed = try await first.storedDeliveries(status: "pending").count
            XCTAssertEqual(owed, 0)
        } catch {
            XCTFail("\(error)")
        }
        try await second.app.asyncShutdown()
        try await first.stop()
    }
}
