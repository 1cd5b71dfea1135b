import Foundation
import PayHubConnectors
import PayHubCore
@testable import PayHubServer
import SQLKit
import XCTVapor

/// Subscriptions through the API, on a test clock: the first payment saves the method, renewals charge it once per
/// period, cancellation at period end, dunning and its recovery page, catching up after downtime.
final class SubscriptionTests: XCTestCase {
    /// 1 January 2027, 10:00 UTC: a year of months from here is easy to read.
    static let start: Int64 = 1_798_797_600
    static let day: Int64 = 86_400

    static func monthEnd(_ months: Int) -> Int64 {
        let interval = try! BillingInterval(unit: .month)
        return Int64(interval.date(after: months, from: Date(timeIntervalSince1970: TimeInterval(start))).timeIntervalSince1970)
    }

    static func makeClock(_ hub: TestHub, at time: Int64 = start) async throws -> String {
        let clock = try await hub.request(.POST, "/v1/test_clocks", json: ["frozen_time": time, "name": "a year"])
        XCTAssertEqual(clock.status, .created, clock.text)
        return clock.id
    }

    static func subscribe(_ hub: TestHub, clock: String?, _ extra: [String: Any] = [:]) async throws -> TestHub.Reply {
        var body: [String: Any] = [
            "amount": 999, "currency": "EUR", "interval": "month",
            "customer": ["name": "Zoë Ñandú", "email": "zoe@example.com", "locale": "it", "customer_reference": "cust-7"],
        ]
        if let clock { body["test_clock"] = clock }
        body.merge(extra) { _, new in new }
        let created = try await hub.request(.POST, "/v1/subscriptions", json: body)
        XCTAssertEqual(created.status, .created, created.text)
        return created
    }

    /// Pays the first payment by API with a card token, saving it for the renewals.
    static func payFirst(_ hub: TestHub, _ subscription: TestHub.Reply, token: String = "tok_visa") async throws -> TestHub.Reply {
        let intent = try XCTUnwrap(subscription["latest_payment_intent"] as? String)
        let paid = try await hub.request(.POST, "/v1/payment_intents/\(intent)/payments", json: ["payment_method": ["type": "card", "token": token]])
        XCTAssertEqual(paid["status"] as? String, "succeeded", paid.text)
        return try await hub.request(.GET, "/v1/subscriptions/\(subscription.id)")
    }

    static func advance(_ hub: TestHub, _ clock: String, to time: Int64) async throws {
        let advanced = try await hub.request(.POST, "/v1/test_clocks/\(clock)/advance", json: ["frozen_time": time])
        XCTAssertEqual(advanced.status, .ok, advanced.text)
        XCTAssertEqual(advanced["frozen_time"] as? Int, Int(time))
    }

    /// The subscription's charged periods and how each intent stands.
    static func periods(_ hub: TestHub, _ id: String) async throws -> [(period: Int, intent: String, status: String, attempts: Int)] {
        let sql = hub.context.transactor.reader(hub.app.db)
        let rows = try await sql.raw("""
            SELECT p.period, p.payment_intent_id, i.status, (SELECT COUNT(*) FROM payment_attempts a WHERE a.payment_intent_id = i.id) AS attempts \
            FROM subscription_periods p JOIN payment_intents i ON i.id = p.payment_intent_id \
            WHERE p.subscription_id = \(bind: id) ORDER BY p.period
            """).all()
        return try rows.map {
            (try $0.decode(column: "period", as: Int.self), try $0.decode(column: "payment_intent_id", as: String.self),
             try $0.decode(column: "status", as: String.self), try $0.decode(column: "attempts", as: Int.self))
        }
    }

    static func notifications(_ hub: TestHub, event: String) async throws -> [String] {
        try await hub.context.transactor.reader(hub.app.db).raw(
            "SELECT body_text FROM notifications WHERE event = \(bind: event) ORDER BY created_at, id"
        ).all().map { try $0.decode(column: "body_text", as: String.self) }
    }

    // MARK: - Creating and the first payment

    func testTheFirstPaymentByAPISavesTheMethodAndStartsTheFirstPeriod() async throws {
        try await withEachDatabase { hub in
            let clock = try await Self.makeClock(hub)
            let created = try await Self.subscribe(hub, clock: clock, ["metadata": ["plan": "gold"]])
            XCTAssertTrue(created.id.hasPrefix("sub_"))
            XCTAssertEqual(created["object"] as? String, "subscription")
            XCTAssertEqual(created["status"] as? String, "incomplete")
            XCTAssertEqual(created["renewal"] as? String, "manual")
            XCTAssertEqual(created["test_clock"] as? String, clock)
            XCTAssertEqual(created["current_period_end"] as? Int, Int(Self.monthEnd(1)))
            let url = try XCTUnwrap(created["url"] as? String)
            XCTAssertTrue(url.hasPrefix("http://payhub.test/checkout/cs_"), url)
            let sessionID = String(url.split(separator: "/").last ?? "")
            let session = try await hub.request(.GET, "/v1/checkout_sessions/\(sessionID)")
            XCTAssertEqual(session["mode"] as? String, "subscription", session.text)
            XCTAssertEqual(session["subscription"] as? String, created.id)
            let plain = try await hub.request(.POST, "/v1/checkout_sessions", json: ["amount": 500, "currency": "EUR", "metadata": ["subscription": created.id]])
            XCTAssertEqual(plain["mode"] as? String, "payment", "a merchant's metadata does not make a session a subscription's")
            XCTAssertTrue(plain["subscription"] is NSNull)
            XCTAssertEqual((created["customer"] as? [String: Any])?["customer_reference"] as? String, "cust-7")
            let intentID = try XCTUnwrap(created["latest_payment_intent"] as? String)
            let intent = try await hub.request(.GET, "/v1/payment_intents/\(intentID)")
            XCTAssertEqual(intent["amount"] as? Int, 999)
            XCTAssertEqual((intent["metadata"] as? [String: String])?["subscription"], created.id)
            XCTAssertEqual((intent["metadata"] as? [String: String])?["subscription_period"], "1")
            XCTAssertEqual((intent["metadata"] as? [String: String])?["plan"], "gold")

            hub.clock.advance(1)  // events are listed by time, then id
            let active = try await Self.payFirst(hub, created)
            XCTAssertEqual(active["status"] as? String, "active")
            XCTAssertEqual(active["paid_through"] as? Int, Int(Self.monthEnd(1)))
            XCTAssertEqual(active["renewals_count"] as? Int, 0)
            XCTAssertNil(active["url"] as? String)
            let method = try XCTUnwrap(active["payment_method"] as? [String: Any])
            XCTAssertEqual(method["type"] as? String, "card")
            XCTAssertEqual(method["display"] as? String, "visa •••• 4242")
            XCTAssertFalse(active.text.contains("spm_"), "the API shows no provider reference of the saved method")
            let events = try await hub.storedEvents(objectID: created.id).map(\.type)
            XCTAssertEqual(events, ["customer.subscription.created", "customer.subscription.updated"])

            let listed = try await hub.request(.GET, "/v1/subscriptions?status=active&customer_reference=cust-7&renewal=manual")
            XCTAssertEqual((listed["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String }, [created.id])
            let none = try await hub.request(.GET, "/v1/subscriptions?status=past_due")
            XCTAssertEqual((none["data"] as? [Any])?.count, 0)
        }
    }

    func testTheFirstPaymentsPageSaysWhatTheRenewalsWillCharge() async throws {
        try await withEachDatabase { hub in
            let monthly = try await Self.subscribe(hub, clock: nil)
            var browser = CheckoutBrowser(hub)
            let page = try await browser.open(try XCTUnwrap(URL(string: try XCTUnwrap(monthly["url"] as? String))?.path))
            XCTAssertTrue(page.contains("Abbonamento: 9,99\u{00A0}€ ogni mese."), page.html)
            let quarterly = try await Self.subscribe(
                hub, clock: nil, ["interval_count": 3, "customer": ["name": "Ada", "email": "ada@example.com", "locale": "en"]])
            let english = try await browser.open(try XCTUnwrap(URL(string: try XCTUnwrap(quarterly["url"] as? String))?.path))
            XCTAssertTrue(english.contains("Subscription: €9.99 every 3 months."), english.html)
            let single = try await browser.open(try await hub.checkoutSession().path)
            XCTAssertFalse(single.contains(#"id="recurring""#), "a single payment's page promises no renewals")
        }
    }

    /// The renewals charge the method the first payment saved: its page offers only methods a provider can save
    /// (the sandbox saves cards), not a QR code, a transfer or mobile money, and refuses them when sent.
    func testTheFirstPaymentsPageOffersOnlyMethodsTheRenewalsCanCharge() async throws {
        try await withEachDatabase { hub in
            let subscription = try await Self.subscribe(hub, clock: nil)
            let path = try XCTUnwrap(URL(string: try XCTUnwrap(subscription["url"] as? String))?.path)
            var browser = CheckoutBrowser(hub)
            let page = try await browser.open(path)
            XCTAssertTrue(page.contains(#"value="card:sandbox""#), page.html)
            for method in ["mobile_money", "qr", "bank_transfer", "bnpl", "wallet", "bank_redirect"] {
                XCTAssertFalse(page.contains(#"value="\#(method):"#), method)
            }
            let single = try await browser.open(try await hub.checkoutSession().path)
            XCTAssertTrue(single.contains(#"value="qr:sandbox""#), "a single payment's page offers every method")

            let again = try await browser.open(path)
            let refused = try await browser.submit(path + "/pay", [
                "method": "qr:sandbox", "terms": "accepted", "csrf_token": again.field("csrf_token") ?? "",
                "attempt_key": again.field("attempt_key") ?? "",
            ])
            XCTAssertEqual(refused.status, .badRequest, refused.html)
            let intent = try await hub.request(.GET, "/v1/payment_intents/\(try XCTUnwrap(subscription["latest_payment_intent"] as? String))")
            XCTAssertEqual((intent["payments"] as? [Any])?.count ?? 0, 0)
        }
    }

    func testRefusals() async throws {
        try await withEachDatabase { hub in
            let automatic = try await hub.request(.POST, "/v1/subscriptions", json: ["amount": 1, "currency": "EUR", "interval": "month", "renewal": "automatic"])
            XCTAssertEqual(automatic.errorCode, "renewal_unsupported")
            let both = try await hub.request(.POST, "/v1/subscriptions", json: ["amount": 1, "currency": "EUR", "interval": "month", "end_date": Self.start + 1_000_000, "max_renewals": 3])
            XCTAssertEqual(both.errorCode, "parameters_exclusive")
            let interval = try await hub.request(.POST, "/v1/subscriptions", json: ["amount": 1, "currency": "EUR", "interval": "month", "interval_count": 37])
            XCTAssertEqual(interval.errorParam, "interval_count")
            let unknown = try await hub.request(.POST, "/v1/subscriptions", json: ["amount": 1, "currency": "EUR", "interval": "fortnight"])
            XCTAssertEqual(unknown.errorParam, "interval")
            let missingClock = try await hub.request(.POST, "/v1/subscriptions", json: ["amount": 1, "currency": "EUR", "interval": "day", "test_clock": "clock_nope"])
            XCTAssertEqual(missingClock.status, .notFound)
            let clock = try await Self.makeClock(hub)
            try await Self.advance(hub, clock, to: Self.start + 10)
            let backwards = try await hub.request(.POST, "/v1/test_clocks/\(clock)/advance", json: ["frozen_time": Self.start])
            XCTAssertEqual(backwards.errorCode, "test_clock_backwards")
            let live = try await hub.request(.POST, "/v1/test_clocks", json: ["frozen_time": Self.start], key: hub.merchant.secretKeyLive)
            XCTAssertEqual(live.errorCode, "test_clock_livemode")
            let resume = try await hub.request(.POST, "/v1/subscriptions/\(try await Self.subscribe(hub, clock: clock).id)/resume", json: [:])
            XCTAssertEqual(resume.errorCode, "subscription_no_pending_cancellation")
        }
    }

    // MARK: - Renewals on a test clock

    func testAMonthlySubscriptionRenewsTwelveTimesInAYearWithTwelveRenewalPayments() async throws {
        try await withEachDatabase { hub in
            let clock = try await Self.makeClock(hub)
            let created = try await Self.subscribe(hub, clock: clock)
            _ = try await Self.payFirst(hub, created)
            for month in 1...12 {
                try await Self.advance(hub, clock, to: Self.monthEnd(month) - 60)
                let value1 = try await Self.periods(hub, created.id).count
                XCTAssertEqual(value1, month, "nothing before the renewal day")
                try await Self.advance(hub, clock, to: Self.monthEnd(month))
            }
            let periods = try await Self.periods(hub, created.id)
            XCTAssertEqual(periods.map(\.period), Array(1...13))
            XCTAssertEqual(periods.map(\.status), Array(repeating: "succeeded", count: 13))
            XCTAssertEqual(periods.dropFirst().map(\.attempts), Array(repeating: 1, count: 12), "one off-session charge per renewal")
            XCTAssertEqual(Set(periods.map(\.intent)).count, 13)
            let subscription = try await hub.request(.GET, "/v1/subscriptions/\(created.id)")
            XCTAssertEqual(subscription["renewals_count"] as? Int, 12)
            XCTAssertEqual(subscription["current_period_start"] as? Int, Int(Self.monthEnd(12)))
            XCTAssertEqual(subscription["current_period_end"] as? Int, Int(Self.monthEnd(13)))
            let value2 = try await hub.storedEvents(objectID: created.id, type: "customer.subscription.renewed").count
            XCTAssertEqual(value2, 12)
            let value3 = try await Self.notifications(hub, event: "subscription_renewed").count
            XCTAssertEqual(value3, 12)
            let renewal = try await hub.request(.GET, "/v1/payment_intents/\(periods[5].intent)")
            XCTAssertEqual((renewal["metadata"] as? [String: String])?["subscription_period"], "6")
            XCTAssertEqual(renewal["amount_received"] as? Int, 999)
        }
    }

    func testACancellationAtPeriodEndStaysActiveUntilTheRenewalDayAndChargesNothingAfter() async throws {
        try await withEachDatabase { hub in
            let clock = try await Self.makeClock(hub)
            let created = try await Self.subscribe(hub, clock: clock)
            _ = try await Self.payFirst(hub, created)
            try await Self.advance(hub, clock, to: Self.start + 10 * Self.day)
            let pending = try await hub.request(.POST, "/v1/subscriptions/\(created.id)/cancel", json: [:])
            XCTAssertEqual(pending["status"] as? String, "active")
            XCTAssertEqual(pending["cancel_at_period_end"] as? Bool, true)
            try await Self.advance(hub, clock, to: Self.monthEnd(1) - 1)
            let stillActive = try await hub.request(.GET, "/v1/subscriptions/\(created.id)")
            XCTAssertEqual(stillActive["status"] as? String, "active")
            try await Self.advance(hub, clock, to: Self.monthEnd(3))
            let ended = try await hub.request(.GET, "/v1/subscriptions/\(created.id)")
            XCTAssertEqual(ended["status"] as? String, "canceled")
            XCTAssertEqual(ended["ended_at"] as? Int, Int(Self.monthEnd(1)), "it ends exactly when the paid period does")
            let value4 = try await Self.periods(hub, created.id).count
            XCTAssertEqual(value4, 1, "no renewal was charged")
            let value5 = try await Self.notifications(hub, event: "subscription_canceled").count
            XCTAssertEqual(value5, 1)
            let types = try await hub.storedEvents(objectID: created.id).map(\.type)
            XCTAssertEqual(types.filter { $0 == "customer.subscription.canceled" }.count, 1)
        }
    }

    func testResumeUndoesAPendingCancellation() async throws {
        try await withEachDatabase { hub in
            let clock = try await Self.makeClock(hub)
            let created = try await Self.subscribe(hub, clock: clock)
            _ = try await Self.payFirst(hub, created)
            _ = try await hub.request(.POST, "/v1/subscriptions/\(created.id)/cancel", json: ["at_period_end": true])
            let resumed = try await hub.request(.POST, "/v1/subscriptions/\(created.id)/resume", json: [:])
            XCTAssertEqual(resumed["cancel_at_period_end"] as? Bool, false)
            try await Self.advance(hub, clock, to: Self.monthEnd(1))
            let value6 = try await Self.periods(hub, created.id).map(\.status)
            XCTAssertEqual(value6, ["succeeded", "succeeded"])
            let now = try await hub.request(.POST, "/v1/subscriptions/\(created.id)/cancel", json: ["at_period_end": false])
            XCTAssertEqual(now["status"] as? String, "canceled")
            XCTAssertEqual(now["ended_at"] as? Int, Int(Self.monthEnd(1)))
        }
    }

    func testAPlanChangeTakesEffectAtTheNextRenewal() async throws {
        try await withEachDatabase { hub in
            let clock = try await Self.makeClock(hub)
            let created = try await Self.subscribe(hub, clock: clock)
            _ = try await Self.payFirst(hub, created)
            let updated = try await hub.request(.POST, "/v1/subscriptions/\(created.id)", json: ["amount": 1500, "interval": "year"])
            XCTAssertEqual(updated["amount"] as? Int, 999)
            XCTAssertEqual((updated["pending_update"] as? [String: Any])?["amount"] as? Int, 1500)
            try await Self.advance(hub, clock, to: Self.monthEnd(1))
            let renewed = try await hub.request(.GET, "/v1/subscriptions/\(created.id)")
            XCTAssertEqual(renewed["amount"] as? Int, 1500)
            XCTAssertEqual(renewed["interval"] as? String, "year")
            XCTAssertTrue(renewed["pending_update"] is NSNull)
            let yearly = try BillingInterval(unit: .year)
            XCTAssertEqual(renewed["current_period_end"] as? Int, Int(yearly.date(after: 1, from: Date(timeIntervalSince1970: TimeInterval(Self.monthEnd(1)))).timeIntervalSince1970))
            let periods = try await Self.periods(hub, created.id)
            let second = try await hub.request(.GET, "/v1/payment_intents/\(periods[1].intent)")
            XCTAssertEqual(second["amount_received"] as? Int, 1500)
        }
    }

    func testDowntimeOverTwoPeriodsCatchesUpPeriodByPeriodWithoutADoubleCharge() async throws {
        try await withEachDatabase { hub in
            let clock = try await Self.makeClock(hub)
            let created = try await Self.subscribe(hub, clock: clock)
            _ = try await Self.payFirst(hub, created)
            try await Self.advance(hub, clock, to: Self.monthEnd(2) + 3600)
            var periods = try await Self.periods(hub, created.id)
            XCTAssertEqual(periods.map(\.period), [1, 2, 3], "each missed period charged once")
            XCTAssertEqual(periods.map(\.attempts), [1, 1, 1])
            try await Self.advance(hub, clock, to: Self.monthEnd(2) + 7200)
            periods = try await Self.periods(hub, created.id)
            XCTAssertEqual(periods.map(\.attempts), [1, 1, 1], "advancing again charges nothing more")
            let renewals = try await SubscriptionRenewals(context: hub.context, db: hub.app.db, logger: hub.app.logger)
                .run(try SubscriptionID(parsing: created.id))
            XCTAssertEqual(renewals, .done)
            let value7 = try await Self.periods(hub, created.id).map(\.attempts)
            XCTAssertEqual(value7, [1, 1, 1])
        }
    }

    // MARK: - Dunning

    func testAFailedRenewalRunsDunningAndRecoversWhenTheCustomerPaysByTheLink() async throws {
        try await withEachDatabase { hub in
            let clock = try await Self.makeClock(hub)
            let created = try await Self.subscribe(hub, clock: clock)
            _ = try await Self.payFirst(hub, created, token: "tok_declines_after_save")
            let renewalDay = Self.monthEnd(1)
            try await Self.advance(hub, clock, to: renewalDay)
            var subscription = try await hub.request(.GET, "/v1/subscriptions/\(created.id)")
            XCTAssertEqual(subscription["status"] as? String, "past_due")
            XCTAssertEqual(subscription["paid_through"] as? Int, Int(renewalDay), "the paid period was not cut short")
            XCTAssertEqual(subscription["next_retry_at"] as? Int, Int(renewalDay + Self.day))
            let link = try XCTUnwrap(subscription["url"] as? String)
            var mails = try await Self.notifications(hub, event: "subscription_payment_failed")
            XCTAssertEqual(mails.count, 1)
            XCTAssertTrue(mails[0].contains(link), mails[0])
            XCTAssertTrue(mails[0].contains("Riproveremo"), "in the customer's language: \(mails[0])")

            for (retry, day) in [(1, 1), (2, 3)] {
                try await Self.advance(hub, clock, to: renewalDay + Int64(day) * Self.day)
                subscription = try await hub.request(.GET, "/v1/subscriptions/\(created.id)")
                XCTAssertEqual(subscription["dunning_retries"] as? Int, retry)
                XCTAssertEqual(subscription["status"] as? String, "past_due")
            }
            XCTAssertEqual(subscription["next_retry_at"] as? Int, Int(renewalDay + 5 * Self.day))
            let value8 = try await Self.periods(hub, created.id)[1].attempts
            XCTAssertEqual(value8, 3, "the renewal and two retries")
            mails = try await Self.notifications(hub, event: "subscription_payment_failed")
            XCTAssertEqual(mails.count, 3)
            let generic = try await Self.notifications(hub, event: "payment_failed")
            XCTAssertEqual(generic.count, 0, "a renewal's failure sends its own notification, with the page, not the generic one")

            // The customer pays on the page of the latest notification, with another card.
            let page = try XCTUnwrap(subscription["url"] as? String)
            let session = try await hub.request(.GET, "/v1/checkout_sessions/\(String(page.split(separator: "/").last!))")
            let recovery = try XCTUnwrap(session["payment_intent"] as? String)
            let paid = try await hub.request(.POST, "/v1/payment_intents/\(recovery)/payments", json: ["payment_method": ["type": "card", "token": "tok_mastercard"]])
            XCTAssertEqual(paid["status"] as? String, "succeeded", paid.text)
            subscription = try await hub.request(.GET, "/v1/subscriptions/\(created.id)")
            XCTAssertEqual(subscription["status"] as? String, "active")
            XCTAssertEqual(subscription["current_period_start"] as? Int, Int(renewalDay), "the same period")
            XCTAssertEqual(subscription["paid_through"] as? Int, Int(Self.monthEnd(2)))
            XCTAssertEqual((subscription["payment_method"] as? [String: Any])?["display"] as? String, "mastercard •••• 4444")

            // No more retries; the next renewal charges the new card.
            try await Self.advance(hub, clock, to: Self.monthEnd(2))
            let periods = try await Self.periods(hub, created.id)
            XCTAssertEqual(periods[1].attempts, 3)
            XCTAssertEqual(periods.map(\.status), ["succeeded", "requires_payment_method", "succeeded"])
            let value9 = try await hub.request(.GET, "/v1/subscriptions/\(created.id)")["status"] as? String
            XCTAssertEqual(value9, "active")
        }
    }

    func testAfterTheLastRetryDunningEndsAsConfigured() async throws {
        try await withEachDatabase { hub in
            let clock = try await Self.makeClock(hub)
            let canceling = try await Self.subscribe(hub, clock: clock)
            let leaving = try await Self.subscribe(hub, clock: clock, ["dunning_end": "leave_past_due"])
            _ = try await Self.payFirst(hub, canceling, token: "tok_declines_after_save")
            _ = try await Self.payFirst(hub, leaving, token: "tok_declines_after_save")
            try await Self.advance(hub, clock, to: Self.monthEnd(1) + 6 * Self.day)
            let value10 = try await hub.request(.GET, "/v1/subscriptions/\(canceling.id)")["status"] as? String
            XCTAssertEqual(value10, "past_due")
            try await Self.advance(hub, clock, to: Self.monthEnd(1) + 7 * Self.day)
            let canceled = try await hub.request(.GET, "/v1/subscriptions/\(canceling.id)")
            XCTAssertEqual(canceled["status"] as? String, "canceled")
            XCTAssertEqual(canceled["dunning_retries"] as? Int, 4)
            let value11 = try await Self.periods(hub, canceling.id)[1].attempts
            XCTAssertEqual(value11, 5, "the renewal and the four retries (1, 3, 5, 7 days)")
            let left = try await hub.request(.GET, "/v1/subscriptions/\(leaving.id)")
            XCTAssertEqual(left["status"] as? String, "past_due")
            try await Self.advance(hub, clock, to: Self.monthEnd(3))
            let value12 = try await Self.periods(hub, leaving.id).count
            XCTAssertEqual(value12, 2, "a past-due subscription does not renew again")
            let value13 = try await Self.periods(hub, leaving.id)[1].attempts
            XCTAssertEqual(value13, 5)
        }
    }

    func testATrialWarnsThreeDaysBeforeAndItsFirstChargeGoesThroughTheRecoveryPageWithoutASavedMethod() async throws {
        try await withEachDatabase { hub in
            let clock = try await Self.makeClock(hub)
            let created = try await Self.subscribe(hub, clock: clock, ["trial_days": 14])
            XCTAssertEqual(created["status"] as? String, "trialing")
            XCTAssertTrue(created["latest_payment_intent"] is NSNull)
            XCTAssertTrue(created["url"] is NSNull)
            let trialEnd = Self.start + 14 * Self.day
            XCTAssertEqual(created["trial_end"] as? Int, Int(trialEnd))
            try await Self.advance(hub, clock, to: trialEnd - 3 * Self.day - 1)
            let value14 = try await hub.storedEvents(objectID: created.id, type: "customer.subscription.trial_will_end").count
            XCTAssertEqual(value14, 0)
            try await Self.advance(hub, clock, to: trialEnd - 3 * Self.day)
            let value15 = try await hub.storedEvents(objectID: created.id, type: "customer.subscription.trial_will_end").count
            XCTAssertEqual(value15, 1)
            let value16 = try await Self.notifications(hub, event: "subscription_trial_will_end").count
            XCTAssertEqual(value16, 1)
            try await Self.advance(hub, clock, to: trialEnd + 60)
            var subscription = try await hub.request(.GET, "/v1/subscriptions/\(created.id)")
            XCTAssertEqual(subscription["status"] as? String, "past_due", "no method was saved: the customer is sent the page")
            XCTAssertEqual(subscription["current_period"] as? Int, 1)
            let value17 = try await hub.storedEvents(objectID: created.id, type: "customer.subscription.trial_will_end").count
            XCTAssertEqual(value17, 1)
            let page = try XCTUnwrap(subscription["url"] as? String)
            let session = try await hub.request(.GET, "/v1/checkout_sessions/\(String(page.split(separator: "/").last!))")
            let recovery = try XCTUnwrap(session["payment_intent"] as? String)
            let paid = try await hub.request(.POST, "/v1/payment_intents/\(recovery)/payments", json: ["payment_method": ["type": "card", "token": "tok_visa"]])
            XCTAssertEqual(paid["status"] as? String, "succeeded", paid.text)
            subscription = try await hub.request(.GET, "/v1/subscriptions/\(created.id)")
            XCTAssertEqual(subscription["status"] as? String, "active")
            let monthly = try BillingInterval(unit: .month)
            let firstEnd = Int64(monthly.date(after: 1, from: Date(timeIntervalSince1970: TimeInterval(trialEnd))).timeIntervalSince1970)
            XCTAssertEqual(subscription["paid_through"] as? Int, Int(firstEnd))
            try await Self.advance(hub, clock, to: firstEnd)
            let periods = try await Self.periods(hub, created.id)
            XCTAssertEqual(periods.map(\.status), ["requires_payment_method", "succeeded"], "the renewal charged the method saved on the page")
            XCTAssertEqual(periods[1].attempts, 1)
        }
    }

    // MARK: - Exactly once

    func testTheDatabaseRefusesASecondRenewalOfOnePeriod() async throws {
        try await withEachDatabase { hub in
            let clock = try await Self.makeClock(hub)
            let created = try await Self.subscribe(hub, clock: clock)
            let id = try SubscriptionID(parsing: created.id)
            let scope = TenantScope(merchantID: hub.merchant.id, livemode: false)
            let again = SubscriptionPeriodRecord(
                subscriptionID: id, period: 1, paymentIntentID: PaymentIntentID(rawValue: "pi_other"), start: Date(), end: Date())
            do {
                try await hub.context.transactor.writeSQL(on: hub.app.db) { tx in
                    try await SubscriptionRepository().insertPeriod(again, in: scope, at: Date(), on: tx)
                }
                XCTFail("a second row for period 1 was accepted")
            } catch {}
            let value18 = try await Self.periods(hub, created.id).count
            XCTAssertEqual(value18, 1)
        }
    }

    /// The wall clock: the renewal job itself, stopped between its steps as a crash would stop it.
    func testACrashMidRenewalNeverChargesTwice() async throws {
        try await withEachDatabase { hub in
            let created = try await Self.subscribe(hub, clock: nil)
            _ = try await Self.payFirst(hub, created)
            let id = try SubscriptionID(parsing: created.id)
            let renewals = SubscriptionRenewals(context: hub.context, db: hub.app.db, logger: hub.app.logger)
            let periodEnd = try XCTUnwrap(created["current_period_end"] as? Int)
            hub.clock.set(Date(timeIntervalSince1970: TimeInterval(periodEnd + 60)))

            // Crash 1: the period was opened (its intent committed with it) but nothing was charged.
            let reader = hub.context.transactor.reader(hub.app.db)
            func stored() async throws -> SubscriptionRecord {
                let found = try await SubscriptionRepository().subscription(id, for: .subscriptionRenewal, on: reader)
                return try XCTUnwrap(found)
            }
            let record = try await stored()
            try await renewals.apply(.renewalDue, to: record)
            var periods = try await Self.periods(hub, created.id)
            XCTAssertEqual(periods.map(\.attempts), [1, 0])

            // Crash 2: the try was stored, the provider was called, its answer was lost.
            let payments = PaymentService(context: hub.context, db: hub.app.db, logger: hub.app.logger)
            let intent = try await payments.current(try PaymentIntentID(parsing: periods[1].intent), in: record.scope)
            let opened = try await stored()
            let key = SubscriptionPaymentMetadata.renewalKey(id, period: 2, try: 0)
            let attempt = PaymentAttemptRecord(
                attempt: PaymentAttempt(id: hub.context.ids.make(), paymentIntentID: intent.id, provider: "sandbox", methodType: "card", createdAt: hub.clock.now()),
                scope: record.scope, providerAccountID: try XCTUnwrap(opened.savedMethodAccountID), paymentMethod: PaymentMethodData(type: "card"),
                returnURL: nil, idempotencyKey: key, statusCheck: .first(nil), lateSuccessReversalReference: nil)
            try await payments.start(attempt)
            let request = ProviderRequests.payment(intent: intent.intent, attempt: attempt)
            XCTAssertEqual(request.idempotencyKey, key)
            XCTAssertNotNil(request.offSessionMethod)
            XCTAssertFalse(request.saveForOffSession)
            let account = try await ProviderAccountRepository().account(attempt.providerAccountID, in: record.scope, on: reader)
            let lost = try await SandboxConnector().authorize(request, context: try hub.context.connectorContext(for: try XCTUnwrap(account)))

            // The job runs again after the crash: it asks again under the same key, and the provider's answer is the same payment.
            let value19 = try await renewals.run(id)
            let value20 = SubscriptionRenewals.Run.checkAgain(at: try await stored().subscription.currentPeriodEnd)
            XCTAssertEqual(value19, value20)
            periods = try await Self.periods(hub, created.id)
            XCTAssertEqual(periods.map(\.attempts), [1, 1])
            XCTAssertEqual(periods.map(\.status), ["succeeded", "succeeded"])
            let charged = try await payments.current(intent.id, in: record.scope)
            XCTAssertEqual(charged.attempts.first?.providerReference, lost.providerReference, "the same provider payment, not a second one")
            _ = try await renewals.run(id)
            let value21 = try await Self.periods(hub, created.id).map(\.attempts)
            XCTAssertEqual(value21, [1, 1])

            // The scheduled job (what the server runs) is due at the next period's end.
            let renewedEnd = try await stored().subscription.currentPeriodEnd
            hub.clock.set(renewedEnd.addingTimeInterval(1))
            _ = try await hub.scheduler.runDue([.subscriptionRenewal])
            let value22 = try await Self.periods(hub, created.id).map(\.attempts)
            XCTAssertEqual(value22, [1, 1, 1])
        }
    }

    /// Two PayHub processes on one PostgreSQL run the renewal job for the same subscription at once, again and again,
    /// across three missed periods: each period is opened and charged once.
    func testTwoProcessesRenewingAtOnceChargeEachPeriodOnce() async throws {
        guard case .some(.postgres(let adminURL)) = TestDatabase.all.last, TestDatabase.all.count == 2 else {
            throw XCTSkip("PAYHUB_TEST_POSTGRES_URL not set: the two-process renewal race is skipped")
        }
        let first = try await TestHub.start(.postgres(adminURL: adminURL))
        let databaseName = String(URLComponents(string: first.context.config.databaseURL ?? "")?.path.dropFirst() ?? "")
        let second = try await TestHub.start(.postgres(adminURL: adminURL), databaseName: databaseName, migrate: false)
        do {
            var ids: [SubscriptionID] = []
            for _ in 0..<3 {
                let created = try await Self.subscribe(first, clock: nil)
                _ = try await Self.payFirst(first, created)
                ids.append(try SubscriptionID(parsing: created.id))
            }
            let later = first.clock.now().addingTimeInterval(3 * 31 * 86_400 + 3600)
            first.clock.set(later)
            second.clock.set(later)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for round in 0..<4 {
                    for id in ids {
                        for hub in [first, second] {
                            group.addTask {
                                _ = try await SubscriptionRenewals(context: hub.context, db: hub.app.db, logger: hub.app.logger).run(id)
                                if round == 0 { _ = try await hub.scheduler.runDue([.subscriptionRenewal]) }
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            for id in ids {
                let periods = try await Self.periods(first, id.rawValue)
                XCTAssertEqual(periods.map(\.period), [1, 2, 3, 4], "\(id)")
                XCTAssertEqual(periods.map(\.attempts), [1, 1, 1, 1], "\(id): one charge per period")
                XCTAssertEqual(periods.map(\.status), Array(repeating: "succeeded", count: 4))
                let value23 = try await first.storedEvents(objectID: id.rawValue, type: "customer.subscription.renewed").count
                XCTAssertEqual(value23, 3)
            }
        } catch {
            XCTFail("\(error)")
        }
        try await second.app.asyncShutdown()
        try await first.stop()
    }

    // MARK: - Sandbox saved methods

    func testTheSandboxSavesMethodsDeterministicallyAndChargesThemOffSession() async throws {
        let sandbox = SandboxConnector()
        try await withEachDatabase { hub in
            let accounts = try await ProviderAccountRepository().enabled(
                in: TenantScope(merchantID: hub.merchant.id, livemode: false), provider: "sandbox", on: hub.context.transactor.reader(hub.app.db))
            let account = try XCTUnwrap(accounts.first)
            let context = try hub.context.connectorContext(for: account)
            XCTAssertEqual(sandbox.capabilities.savedMethods, ["card"])
            func request(_ token: String?, save: Bool, method: SavedPaymentMethod? = nil, key: String = "k1") -> ConnectorPaymentRequest {
                ConnectorPaymentRequest(
                    attemptID: PaymentAttemptID(rawValue: "py_1"), paymentIntentID: PaymentIntentID(rawValue: "pi_1"),
                    amount: Money(minorUnits: 500, currency: try! Currency(code: "EUR")), captureMethod: .automatic,
                    method: PaymentMethodData(type: "card", token: token), returnURL: nil, description: nil, customer: nil,
                    idempotencyKey: key, saveForOffSession: save, offSessionMethod: method)
            }
            let unsaved = try await sandbox.authorize(request("tok_visa", save: false), context: context)
            XCTAssertNil(unsaved.savedMethod)
            let declinedFirst = try await sandbox.authorize(request("tok_declined", save: true), context: context)
            XCTAssertNil(declinedFirst.savedMethod, "nothing is saved by a payment that failed")
            let saving = try await sandbox.authorize(request("tok_visa", save: true), context: context)
            let good = try XCTUnwrap(saving.savedMethod)
            XCTAssertTrue(good.methodReference.hasPrefix("spm_ok_"))
            let savingBad = try await sandbox.authorize(request("tok_declines_after_save", save: true), context: context)
            let bad = try XCTUnwrap(savingBad.savedMethod)
            XCTAssertTrue(bad.methodReference.hasPrefix("spm_dcl_"))

            let charged = try await sandbox.authorize(request(nil, save: false, method: good, key: "renewal-1"), context: context)
            XCTAssertEqual(charged.outcome, .succeeded)
            let again = try await sandbox.authorize(request(nil, save: false, method: good, key: "renewal-1"), context: context)
            XCTAssertEqual(again.providerReference, charged.providerReference, "the same key is the same payment")
            let other = try await sandbox.authorize(request(nil, save: false, method: good, key: "renewal-2"), context: context)
            XCTAssertNotEqual(other.providerReference, charged.providerReference)
            let refused = try await sandbox.authorize(request(nil, save: false, method: bad, key: "renewal-3"), context: context)
            guard case .failed(let failure) = refused.outcome else { return XCTFail("\(refused.outcome)") }
            XCTAssertEqual(failure.code, "card_declined")
            // The hosted checkout's card page: the card chosen there is saved once the payment succeeds.
            let page = try await sandbox.authorize(request(nil, save: true), context: context)
            XCTAssertNil(page.savedMethod, "nothing is saved before the customer chose a card")
            let reference = try XCTUnwrap(page.providerReference)
            let chosen = try sandbox.cardChosen(reference: reference, token: "tok_visa", approved: true, at: hub.clock.now())
            XCTAssertEqual(chosen.outcome, .succeeded)
            XCTAssertTrue(try XCTUnwrap(chosen.savedMethod).methodReference.hasPrefix("spm_ok_"))
            let checked = try await sandbox.retrievePayment(reference: reference, context: context)
            XCTAssertNil(checked.savedMethod, "the page's payment is still waiting in the sandbox's stateless view")
            let secondPage = try await sandbox.authorize(request(nil, save: true), context: context)
            let declinedOnPage = try sandbox.cardChosen(
                reference: try XCTUnwrap(secondPage.providerReference), token: "tok_declined", approved: true, at: hub.clock.now())
            XCTAssertNil(declinedOnPage.savedMethod)
            do {
                _ = try await sandbox.authorize(
                    request(nil, save: false, method: SavedPaymentMethod(customerReference: nil, methodReference: "spm_zz_1", type: "card")), context: context)
                XCTFail("an unknown saved method was charged")
            } catch {}
        }
    }
}
