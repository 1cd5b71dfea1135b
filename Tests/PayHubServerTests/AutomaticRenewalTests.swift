import Foundation
import PayHubConnectors
import PayHubCore
@testable import PayHubServer
import SQLKit
import XCTVapor

/// Automatic renewals against a provider that runs subscriptions itself (`FakeSubscriptionConnector`): PayHub
/// creates the provider's subscription once after the first payment, records each renewal the provider reports
/// once as a succeeded intent (with its invoice), mirrors the provider's state, and never charges itself.
final class AutomaticRenewalTests: XCTestCase {
    struct Setup {
        var hub: TestHub
        var provider: FakeSubscriptionConnector
        var account: String

        func webhook(_ body: [String: Any], account: String? = nil) async throws -> String? {
            try await webhook(raw: String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self), account: account)
        }

        func webhook(raw body: String, account: String? = nil) async throws -> String? {
            let reply = try await hub.request(
                .POST, "/v1/providers/\(FakeSubscriptionConnector.providerName)/webhooks/\(account ?? self.account)", raw: body, key: "")
            XCTAssertEqual(reply.status, .ok, reply.text)
            return reply["received"] as? String
        }

        func subscribe(_ extra: [String: Any] = [:]) async throws -> TestHub.Reply {
            var body: [String: Any] = [
                "amount": 1500, "currency": "EUR", "interval": "month",
                "customer": ["name": "Zoë", "email": "zoe@example.com", "locale": "en", "customer_reference": "cust-9"],
            ]
            body.merge(extra) { _, new in new }
            return try await hub.request(.POST, "/v1/subscriptions", json: body)
        }

        /// Creates an automatic subscription, pays its first payment by API and runs the job that creates the
        /// provider's subscription; returns the subscription as it then stands.
        func activeSubscription() async throws -> TestHub.Reply {
            let created = try await subscribe()
            XCTAssertEqual(created.status, .created, created.text)
            XCTAssertEqual(created["renewal"] as? String, "automatic")
            _ = try await payFirst(created)
            try await runProviderJob()
            let active = try await hub.request(.GET, "/v1/subscriptions/\(created.id)")
            XCTAssertNotNil(active["provider_subscription"] as? String, active.text)
            return active
        }

        func payFirst(_ subscription: TestHub.Reply, provider: String? = nil) async throws -> TestHub.Reply {
            let intent = try XCTUnwrap(subscription["latest_payment_intent"] as? String)
            var body: [String: Any] = ["payment_method": ["type": "card", "token": "tok_visa"]]
            if let provider { body["provider"] = provider }
            let paid = try await hub.request(.POST, "/v1/payment_intents/\(intent)/payments", json: body)
            XCTAssertEqual(paid["status"] as? String, "succeeded", paid.text)
            return paid
        }

        @discardableResult
        func runProviderJob() async throws -> Int { try await hub.scheduler.runDue([.providerSubscription]) }

        /// The subscription's periods: intent status and how many attempts each has.
        func periods(_ id: String) async throws -> [(period: Int, status: String, attempts: Int)] {
            try await SubscriptionTests.periods(hub, id).map { ($0.period, $0.status, $0.attempts) }
        }

        func invoiceCount() async throws -> Int {
            _ = try await hub.scheduler.runDue([.invoiceIssue])
            let row = try await hub.context.transactor.reader(hub.app.db).raw("SELECT COUNT(*) AS n FROM invoices").first()
            return try XCTUnwrap(row).decode(column: "n", as: Int.self)
        }

        func events(_ id: String, _ type: String) async throws -> Int {
            try await hub.storedEvents(objectID: id).filter { $0.type == type }.count
        }
    }

    func withProvider(
        alsoSandbox: Bool = false, _ body: (Setup) async throws -> Void, file: StaticString = #filePath, line: UInt = #line
    ) async throws {
        for database in TestDatabase.all {
            let provider = FakeSubscriptionConnector()
            let connectors: [any PaymentConnector] = alsoSandbox ? [SandboxConnector(settlementDelay: 2), provider] : [provider]
            let hub = try await TestHub.start(database, connectors: connectors)
            do {
                let account = try await ProviderAccountService(context: hub.context, db: hub.app.db).add(
                    merchantID: hub.merchant.id, provider: FakeSubscriptionConnector.providerName, livemode: false, name: nil, credentials: [:])
                try await body(Setup(hub: hub, provider: provider, account: "\(account.id)"))
            } catch {
                XCTFail("[\(database)] \(error)", file: file, line: line)
            }
            try await hub.stop()
        }
    }

    // MARK: - Creating

    func testTheDefaultIsAutomaticWhereTheProviderRunsSubscriptionsAndItsSubscriptionIsCreatedOnce() async throws {
        try await withProvider { s in
            let created = try await s.subscribe()
            XCTAssertEqual(created["renewal"] as? String, "automatic", created.text)
            XCTAssertTrue(created["provider_subscription"] is NSNull)
            let value1 = try await s.runProviderJob()
            XCTAssertEqual(value1, 0, "nothing to create before the first payment")
            _ = try await s.payFirst(created)
            XCTAssertEqual(s.provider.recorded.create.count, 0, "the provider's subscription is created by the job, not in the payment")
            try await s.runProviderJob()
            let create = try XCTUnwrap(s.provider.recorded.create.first)
            XCTAssertEqual(create.subscriptionID.rawValue, created.id)
            XCTAssertEqual(create.idempotencyKey, "payhub_subscription_\(created.id)")
            XCTAssertEqual(create.amount, Money(minorUnits: 1500, currency: try Currency(code: "EUR")))
            XCTAssertEqual(create.interval, try BillingInterval(unit: .month))
            XCTAssertEqual(create.method.methodReference, "fpm_1", "the method the first payment saved")
            let active = try await s.hub.request(.GET, "/v1/subscriptions/\(created.id)")
            XCTAssertEqual(Int64(create.billingStart.timeIntervalSince1970), (active["current_period_end"] as? Int).map(Int64.init),
                           "the provider first charges when the period paid through PayHub ends")
            XCTAssertEqual(active["provider_subscription"] as? String, "fsub_1")
            XCTAssertEqual(active["status"] as? String, "active")
            let listed = try await s.hub.request(.GET, "/v1/subscriptions?renewal=automatic")
            XCTAssertEqual((listed["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String }, [created.id])

            // The job comes back to read the subscription back, never to create another.
            s.hub.clock.advance(ProviderSubscriptions.reconcileInterval + 1)
            try await s.runProviderJob()
            XCTAssertEqual(s.provider.recorded.create.count, 1)
            XCTAssertEqual(s.provider.recorded.retrieve, ["fsub_1"])
            XCTAssertEqual(s.provider.subscriptionCount, 1)
        }
    }

    func testAutomaticIsRefusedWhereNoAccountCanAndWhereTheSubscriptionCannotBeTheProvidersOwn() async throws {
        try await withEachDatabase { hub in
            let refused = try await hub.request(.POST, "/v1/subscriptions", json: ["amount": 100, "currency": "EUR", "interval": "month", "renewal": "automatic"])
            XCTAssertEqual(refused.status, .unprocessableEntity, refused.text)
            XCTAssertEqual(refused.errorCode, "renewal_unsupported")
            XCTAssertEqual(refused.errorParam, "renewal")
            let byDefault = try await hub.request(.POST, "/v1/subscriptions", json: ["amount": 100, "currency": "EUR", "interval": "month"])
            XCTAssertEqual(byDefault["renewal"] as? String, "manual", "the sandbox runs no subscriptions: manual there")
        }
        try await withProvider { s in
            for (extra, why) in [(["trial_days": 7], "trial"), (["max_renewals": 3], "renewal limit")] as [([String: Any], String)] {
                var body = extra
                body["renewal"] = "automatic"
                let refused = try await s.subscribe(body)
                XCTAssertEqual(refused.errorCode, "renewal_unsupported", why)
                XCTAssertEqual(refused.errorParam, "renewal", why)
                let byDefault = try await s.subscribe(extra)
                XCTAssertEqual(byDefault["renewal"] as? String, "manual", why)
            }
            let clock = try await SubscriptionTests.makeClock(s.hub)
            let clocked = try await s.subscribe(["renewal": "automatic", "test_clock": clock])
            XCTAssertEqual(clocked.errorCode, "renewal_unsupported")
        }
    }

    func testWithSeveralProvidersAutomaticIsOnRequestAndAFirstPaymentElsewhereLeavesTheRenewalsToPayHub() async throws {
        try await withProvider(alsoSandbox: true) { s in
            let byDefault = try await s.subscribe()
            XCTAssertEqual(byDefault["renewal"] as? String, "manual", "a card payment is not routed to one provider: manual by default")
            let elsewhere = try await s.subscribe(["renewal": "automatic"])
            XCTAssertEqual(elsewhere["renewal"] as? String, "automatic", elsewhere.text)
            _ = try await s.payFirst(elsewhere, provider: "sandbox")
            let manual = try await s.hub.request(.GET, "/v1/subscriptions/\(elsewhere.id)")
            XCTAssertEqual(manual["renewal"] as? String, "manual", "the sandbox saved the card: PayHub renews it")
            try await s.runProviderJob()
            XCTAssertEqual(s.provider.recorded.create.count, 0)

            let automatic = try await s.subscribe(["renewal": "automatic"])
            _ = try await s.payFirst(automatic, provider: FakeSubscriptionConnector.providerName)
            try await s.runProviderJob()
            XCTAssertEqual(s.provider.recorded.create.map(\.subscriptionID.rawValue), [automatic.id])
        }
    }

    // MARK: - Crashes and races around creating

    func testACrashBetweenTheProvidersAnswerAndTheLocalWriteIsRecoveredByTheRetryWithTheSameKey() async throws {
        try await withProvider { s in
            let created = try await s.subscribe()
            _ = try await s.payFirst(created)
            s.provider.failNext(.create, afterActing: true)
            try await s.runProviderJob()
            let pending = try await s.hub.request(.GET, "/v1/subscriptions/\(created.id)")
            XCTAssertTrue(pending["provider_subscription"] is NSNull, "the answer was lost: nothing written")
            XCTAssertEqual(s.provider.subscriptionCount, 1)
            let cancel = try await s.hub.request(.POST, "/v1/subscriptions/\(created.id)/cancel", json: [:])
            XCTAssertEqual(cancel.errorCode, "provider_subscription_pending", "no change before the provider's subscription is known")

            s.hub.clock.advance(3600)  // past the scheduler's backoff
            try await s.runProviderJob()
            XCTAssertEqual(s.provider.recorded.create.map(\.idempotencyKey), Array(repeating: "payhub_subscription_\(created.id)", count: 2))
            XCTAssertEqual(s.provider.subscriptionCount, 1, "the retry got the same subscription back")
            let written = try await s.hub.request(.GET, "/v1/subscriptions/\(created.id)")
            XCTAssertEqual(written["provider_subscription"] as? String, "fsub_1")
        }
    }

    func testAWebhookBeforeTheCreateJobsLocalWriteChangesNothingAndTheReadBackRecordsTheRenewal() async throws {
        try await withProvider { s in
            let created = try await s.subscribe()
            _ = try await s.payFirst(created)
            s.provider.failNext(.create, afterActing: true)
            try await s.runProviderJob()
            let renewal = s.provider.renew("fsub_1")
            let early = try await s.webhook(FakeSubscriptionConnector.renewalWebhook("fsub_1", renewal))
            XCTAssertEqual(early, "unknown_object")
            let value2 = try await s.periods(created.id).count
            XCTAssertEqual(value2, 1)

            s.hub.clock.advance(3600)
            try await s.runProviderJob()  // writes the reference and mirrors the latest renewal the answer carries
            let value3 = try await s.periods(created.id).map(\.status)
            XCTAssertEqual(value3, ["succeeded", "succeeded"])
            let late = try await s.webhook(FakeSubscriptionConnector.renewalWebhook("fsub_1", renewal))
            XCTAssertEqual(late, "applied")
            let value4 = try await s.periods(created.id).count
            XCTAssertEqual(value4, 2, "the webhook after the read-back records nothing again")
            let value5 = try await s.events(created.id, "customer.subscription.renewed")
            XCTAssertEqual(value5, 1)
        }
    }

    // MARK: - Renewals

    func testEachProviderRenewalIsRecordedOnceAsASucceededIntentWithItsInvoiceEvenWhenReportedTwice() async throws {
        try await withProvider { s in
            let active = try await s.activeSubscription()
            let reference = try XCTUnwrap(active["provider_subscription"] as? String)
            let value6 = try await s.invoiceCount()
            XCTAssertEqual(value6, 1, "the first payment's invoice")

            for number in 1...2 {
                let renewal = s.provider.renew(reference)
                let body = String(decoding: try JSONSerialization.data(withJSONObject: FakeSubscriptionConnector.renewalWebhook(reference, renewal)), as: UTF8.self)
                // Delivered twice at once, then once more.
                async let first = s.webhook(raw: body)
                async let second = s.webhook(raw: body)
                let answers = [try await first, try await second, try await s.webhook(raw: body)]
                XCTAssertEqual(answers, ["applied", "applied", "applied"])
                // A read-back that reports the same renewal again.
                try await s.runProviderJob()
                let periods = try await s.periods(active.id)
                XCTAssertEqual(periods.map(\.status), Array(repeating: "succeeded", count: number + 1))
                XCTAssertEqual(periods.last?.attempts, 1)
                let value7 = try await s.invoiceCount()
                XCTAssertEqual(value7, number + 1)
                let value8 = try await s.events(active.id, "customer.subscription.renewed")
                XCTAssertEqual(value8, number)
            }
            let renewed = try await s.hub.request(.GET, "/v1/subscriptions/\(active.id)")
            XCTAssertEqual(renewed["status"] as? String, "active")
            XCTAssertEqual(renewed["renewals_count"] as? Int, 2)
            XCTAssertEqual(renewed["current_period"] as? Int, 3)
            let intentID = try XCTUnwrap(renewed["latest_payment_intent"] as? String)
            let intent = try await s.hub.request(.GET, "/v1/payment_intents/\(intentID)")
            XCTAssertEqual(intent["amount"] as? Int, 1500)
            XCTAssertEqual((intent["metadata"] as? [String: String])?["subscription"], active.id)
            XCTAssertEqual((intent["metadata"] as? [String: String])?["subscription_period"], "3")
            XCTAssertEqual((intent["payments"] as? [[String: Any]])?.first?["provider_reference"] as? String, "fpi_renewal_2")
            XCTAssertEqual(s.provider.recorded.authorize.count, 1, "PayHub charged only the first payment")
        }
    }

    func testACrashAfterTheRenewalsPeriodWasNotedIsFinishedByTheNextReportOfIt() async throws {
        try await withProvider { s in
            let active = try await s.activeSubscription()
            let reference = try XCTUnwrap(active["provider_subscription"] as? String)
            let renewal = s.provider.renew(reference)
            let id = try XCTUnwrap(SubscriptionID(validating: active.id))
            let scope = TenantScope(merchantID: s.hub.merchant.id, livemode: false)
            // Step 1 only, as if the process died before the payment was recorded.
            let noted = try await ProviderRenewals(context: s.hub.context, db: s.hub.app.db, logger: s.hub.app.logger)
                .notedPeriod(renewal, of: id, in: scope)
            XCTAssertEqual(noted?.period, 2)
            let value9 = try await s.periods(active.id).map(\.status)
            XCTAssertEqual(value9, ["succeeded", "requires_payment_method"])
            let value10 = try await s.events(active.id, "customer.subscription.renewed")
            XCTAssertEqual(value10, 0)

            _ = try await s.webhook(FakeSubscriptionConnector.renewalWebhook(reference, renewal))
            let value11 = try await s.periods(active.id).map(\.status)
            XCTAssertEqual(value11, ["succeeded", "succeeded"])
            let value12 = try await s.periods(active.id).map(\.attempts)
            XCTAssertEqual(value12, [1, 1])
            let value13 = try await s.events(active.id, "customer.subscription.renewed")
            XCTAssertEqual(value13, 1)
            let value14 = try await s.invoiceCount()
            XCTAssertEqual(value14, 2)
        }
    }

    func testPayHubsRenewalJobNeverChargesAnAutomaticSubscription() async throws {
        try await withProvider { s in
            let active = try await s.activeSubscription()
            for _ in 0..<3 {
                s.hub.clock.advance(40 * 86_400)
                _ = try await s.hub.scheduler.runDue([.subscriptionRenewal])
                _ = try await SubscriptionRenewals(context: s.hub.context, db: s.hub.app.db, logger: s.hub.app.logger).run(SubscriptionID(validating: active.id)!)
            }
            XCTAssertEqual(s.provider.recorded.authorize.count, 1)
            let value15 = try await s.periods(active.id).count
            XCTAssertEqual(value15, 1)
            let after = try await s.hub.request(.GET, "/v1/subscriptions/\(active.id)")
            XCTAssertEqual(after["status"] as? String, "active", "its state is the provider's to tell")
        }
    }

    func testAFailedProviderRenewalIsPastDueWithTheNotificationAndTheProvidersRetryRecoversIt() async throws {
        try await withProvider { s in
            let active = try await s.activeSubscription()
            let reference = try XCTUnwrap(active["provider_subscription"] as? String)
            let failed = s.provider.renew(reference, paid: false, pageURL: "https://pay.example/in_1")
            let body = FakeSubscriptionConnector.renewalWebhook(reference, failed)
            _ = try await s.webhook(body)
            _ = try await s.webhook(body)
            let pastDue = try await s.hub.request(.GET, "/v1/subscriptions/\(active.id)")
            XCTAssertEqual(pastDue["status"] as? String, "past_due", pastDue.text)
            XCTAssertEqual(pastDue["url"] as? String, "https://pay.example/in_1", "the provider's page to pay")
            let value16 = try await s.events(active.id, "customer.subscription.past_due")
            XCTAssertEqual(value16, 1)
            let notices = try await SubscriptionTests.notifications(s.hub, event: "subscription_payment_failed")
            XCTAssertEqual(notices.count, 1)
            XCTAssertTrue(notices.first?.contains("https://pay.example/in_1") ?? false)

            // The retries are the provider's: PayHub's jobs charge nothing, whatever time it is.
            s.hub.clock.advance(10 * 86_400)
            _ = try await s.hub.scheduler.runDue([.subscriptionRenewal])
            XCTAssertEqual(s.provider.recorded.authorize.count, 1)
            let value17 = try await s.periods(active.id).map(\.attempts)
            XCTAssertEqual(value17, [1, 0])

            _ = try await s.webhook(FakeSubscriptionConnector.renewalWebhook(reference, s.provider.payRetry(reference)))
            let recovered = try await s.hub.request(.GET, "/v1/subscriptions/\(active.id)")
            XCTAssertEqual(recovered["status"] as? String, "active")
            let value18 = try await s.periods(active.id).map(\.status)
            XCTAssertEqual(value18, ["succeeded", "succeeded"])
            let value19 = try await s.events(active.id, "customer.subscription.renewed")
            XCTAssertEqual(value19, 1)
            let value20 = try await s.invoiceCount()
            XCTAssertEqual(value20, 2)
        }
    }

    // MARK: - Merchant's changes and the provider's own

    func testCancelResumeAndPlanChangesAskTheProviderAndFollowItsAnswer() async throws {
        try await withProvider { s in
            let active = try await s.activeSubscription()
            let reference = try XCTUnwrap(active["provider_subscription"] as? String)
            let path = "/v1/subscriptions/\(active.id)"

            s.provider.failNext(.cancel)
            let unreachable = try await s.hub.request(.POST, path + "/cancel", json: [:])
            XCTAssertEqual(unreachable.status, .badGateway, unreachable.text)
            let value21 = try await s.hub.request(.GET, path)["cancel_at_period_end"] as? Bool
            XCTAssertEqual(value21, false, "nothing changed")

            let canceling = try await s.hub.request(.POST, path + "/cancel", json: [:])
            XCTAssertEqual(canceling["cancel_at_period_end"] as? Bool, true, canceling.text)
            XCTAssertEqual(canceling["status"] as? String, "active")
            XCTAssertEqual(s.provider.subscription(reference)?.cancelAtPeriodEnd, true)
            let again = try await s.hub.request(.POST, path + "/cancel", json: [:])
            XCTAssertEqual(again["cancel_at_period_end"] as? Bool, true, "a repeated cancel is the same cancel")

            let resumed = try await s.hub.request(.POST, path + "/resume", json: [:])
            XCTAssertEqual(resumed["cancel_at_period_end"] as? Bool, false, resumed.text)
            XCTAssertEqual(s.provider.subscription(reference)?.cancelAtPeriodEnd, false)
            let notPending = try await s.hub.request(.POST, path + "/resume", json: [:])
            XCTAssertEqual(notPending.errorCode, "subscription_no_pending_cancellation")
            XCTAssertEqual(s.provider.recorded.resume.count, 1)

            let changed = try await s.hub.request(.POST, path, json: ["amount": 2500, "interval": "year"])
            XCTAssertEqual(changed.status, .ok, changed.text)
            let pending = changed["pending_update"] as? [String: Any]
            XCTAssertEqual(pending?["amount"] as? Int, 2500)
            XCTAssertEqual(pending?["interval"] as? String, "year")
            let update = try XCTUnwrap(s.provider.recorded.update.first)
            XCTAssertEqual(update.amount.minorUnits, 2500)
            XCTAssertEqual(update.interval, try BillingInterval(unit: .year))
            let invalid = try await s.hub.request(.POST, path, json: ["amount": 0])
            XCTAssertEqual(invalid.status, .badRequest, "refused before the provider hears of it")
            XCTAssertEqual(s.provider.recorded.update.count, 1)
            // The next renewal the provider charges is at the new amount.
            _ = try await s.webhook(FakeSubscriptionConnector.renewalWebhook(reference, s.provider.renew(reference)))
            let renewed = try await s.hub.request(.GET, path)
            let intent = try await s.hub.request(.GET, "/v1/payment_intents/\(try XCTUnwrap(renewed["latest_payment_intent"] as? String))")
            XCTAssertEqual(intent["amount"] as? Int, 2500)

            // The provider's own cancellation at period end, told by webhook, then carried out.
            let value22 = try await s.webhook(FakeSubscriptionConnector.stateWebhook(reference, status: "active", cancelAtPeriodEnd: true))
            XCTAssertEqual(value22, "applied")
            let value23 = try await s.hub.request(.GET, path)["cancel_at_period_end"] as? Bool
            XCTAssertEqual(value23, true)
            let canceled = try await s.hub.request(.POST, path + "/cancel", json: ["at_period_end": false])
            XCTAssertEqual(canceled["status"] as? String, "canceled", canceled.text)
            XCTAssertEqual(s.provider.subscription(reference)?.status, .canceled)
            let value24 = try await s.events(active.id, "customer.subscription.canceled")
            XCTAssertEqual(value24, 1)
            try await s.runProviderJob()
            let value25 = try await s.events(active.id, "customer.subscription.canceled")
            XCTAssertEqual(value25, 1)
        }
    }

    func testTheProviderEndingTheSubscriptionIsMirroredByTheReadBack() async throws {
        try await withProvider { s in
            let active = try await s.activeSubscription()
            let reference = try XCTUnwrap(active["provider_subscription"] as? String)
            s.provider.end(reference)
            // A read-back the provider does not answer is tried again soon, and the job goes on.
            s.provider.failNext(.retrieve)
            s.hub.clock.advance(ProviderSubscriptions.reconcileInterval + 1)
            try await s.runProviderJob()
            let unread = try await s.hub.request(.GET, "/v1/subscriptions/\(active.id)")
            XCTAssertEqual(unread["status"] as? String, "active")
            s.hub.clock.advance(ProviderSubscriptions.retryAfterFailure + 1)
            try await s.runProviderJob()
            let ended = try await s.hub.request(.GET, "/v1/subscriptions/\(active.id)")
            XCTAssertEqual(ended["status"] as? String, "canceled", ended.text)
            s.hub.clock.advance(ProviderSubscriptions.reconcileInterval + 1)
            let value26 = try await s.runProviderJob()
            XCTAssertEqual(value26, 0, "an ended subscription is not read back again")
        }
    }

    // MARK: - Isolation and hostile input

    func testUnknownProviderSubscriptionsAndAnotherMerchantsSubscriptionChangeNothing() async throws {
        try await withProvider { s in
            let active = try await s.activeSubscription()
            let reference = try XCTUnwrap(active["provider_subscription"] as? String)
            let stranger = FakeSubscriptionConnector.renewalWebhook("fsub_999", s.provider.renew(reference))
            let value27 = try await s.webhook(stranger)
            XCTAssertEqual(value27, "unknown_object")

            let other = try await MerchantService(context: s.hub.context, db: s.hub.app.db).create(name: "Other Shop")
            let otherAccount = try await ProviderAccountService(context: s.hub.context, db: s.hub.app.db).add(
                merchantID: other.id, provider: FakeSubscriptionConnector.providerName, livemode: false, name: nil, credentials: [:])
            let renewal = s.provider.renew(reference)
            let elsewhere = try await s.webhook(FakeSubscriptionConnector.renewalWebhook(reference, renewal), account: "\(otherAccount.id)")
            XCTAssertEqual(elsewhere, "unknown_object", "another account's webhook cannot reach this subscription")
            let value28 = try await s.periods(active.id).count
            XCTAssertEqual(value28, 1)

            for (method, path) in [(HTTPMethod.GET, ""), (.POST, "/cancel"), (.POST, "/resume")] {
                let reply = try await s.hub.request(method, "/v1/subscriptions/\(active.id)\(path)", json: method == .POST ? [String: Any]() : nil, key: other.secretKeyTest)
                XCTAssertEqual(reply.status, .notFound, "\(method) \(path): \(reply.text)")
            }
            let update = try await s.hub.request(.POST, "/v1/subscriptions/\(active.id)", json: ["amount": 1], key: other.secretKeyTest)
            XCTAssertEqual(update.status, .notFound)
            XCTAssertTrue(s.provider.recorded.cancel.isEmpty && s.provider.recorded.update.isEmpty)
        }
    }
}
