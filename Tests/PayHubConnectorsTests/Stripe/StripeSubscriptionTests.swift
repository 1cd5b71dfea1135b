import Foundation
import PayHubConnectors
import PayHubCore
import XCTest

/// Stripe-run subscriptions without Stripe: the requests sent, the statuses and renewals read back, the webhooks.
final class StripeSubscriptionTests: XCTestCase {
    private static let start = Date(timeIntervalSince1970: TimeInterval(StripeBillingFixtures.periodStart))
    private static let end = Date(timeIntervalSince1970: TimeInterval(StripeBillingFixtures.periodEnd))

    private func request(billingStart: Date = StripeTest.now, interval: BillingInterval? = nil, key: String = "idem_sub1") throws -> ConnectorSubscriptionRequest {
        ConnectorSubscriptionRequest(
            subscriptionID: SubscriptionID(rawValue: "sub_payhub1"), amount: try StripeTest.money(1500),
            interval: try interval ?? BillingInterval(unit: .month), description: "Gold plan",
            customer: CustomerDetails(name: "Jenny Rosen"),
            method: SavedPaymentMethod(
                customerReference: StripeBillingFixtures.customerID, methodReference: StripeBillingFixtures.paymentMethodID, type: "card"),
            billingStart: billingStart, idempotencyKey: key)
    }

    private func pairs(_ request: StripeHTTPRequest) -> [String] {
        StripeTest.form(request.body).map { "\($0.0)=\($0.1)" }
    }

    private var paidInvoice: String { StripeBillingFixtures.invoice(status: "paid", billingReason: "subscription_create") }

    // MARK: Create

    func testCreateSendsProductPriceAndSubscriptionUnderDerivedKeys() async throws {
        let stub = StubStripeTransport(json: [
            (200, StripeBillingFixtures.product), (200, StripeBillingFixtures.price),
            (200, StripeBillingFixtures.subscription(status: "active", latestInvoice: paidInvoice)),
        ])
        let result = try await StripeConnector(transport: stub).createSubscription(try request(), context: StripeTest.context())

        let requests = await stub.requests
        XCTAssertEqual(requests.map(\.url), [
            "https://api.stripe.com/v1/products", "https://api.stripe.com/v1/prices", "https://api.stripe.com/v1/subscriptions",
        ])
        XCTAssertEqual(requests.map { $0.headers["Idempotency-Key"] }, ["idem_sub1:product", "idem_sub1:price", "idem_sub1:subscription"])
        XCTAssertEqual(pairs(requests[0]), ["name=Gold plan", "metadata[payhub_subscription]=sub_payhub1"])
        XCTAssertEqual(pairs(requests[1]), [
            "currency=eur", "product=prod_NWjs8kKbJWmuuc", "unit_amount=1500", "recurring[interval]=month",
            "recurring[interval_count]=1", "metadata[payhub_subscription]=sub_payhub1",
        ])
        // Billing starts now: no trial, no anchor.
        XCTAssertEqual(pairs(requests[2]), [
            "customer=\(StripeBillingFixtures.customerID)", "items[0][price]=price_1MoBy5LkdIwHu7ixZhnattbh",
            "metadata[payhub_subscription]=sub_payhub1", "payment_behavior=allow_incomplete",
            "default_payment_method=\(StripeBillingFixtures.paymentMethodID)", "off_session=true", "description=Gold plan",
            "expand[]=latest_invoice",
        ])
        XCTAssertEqual(result, ConnectorSubscriptionResult(
            reference: StripeBillingFixtures.subscriptionID, status: .active, currentPeriodStart: Self.start, currentPeriodEnd: Self.end,
            cancelAtPeriodEnd: false, latestRenewal: ProviderRenewal(
                reference: StripeBillingFixtures.invoiceID, amount: try StripeTest.money(1500), paid: true,
                paymentReference: "pi_3MtHbELkdIwHu7ix0T4N7Ll5", periodStart: Self.start, periodEnd: Self.end)))
    }

    func testABillingStartWithinThePeriodIsTheAnchorWithThatPeriodFree() async throws {
        let stub = StubStripeTransport(json: [
            (200, StripeBillingFixtures.product), (200, StripeBillingFixtures.price), (200, StripeBillingFixtures.subscription(status: "active")),
        ])
        let start = StripeTest.now.addingTimeInterval(29 * 86_400)
        _ = try await StripeConnector(transport: stub).createSubscription(try request(billingStart: start), context: StripeTest.context())
        let form = StripeTest.formDictionary(await stub.requests[2].body)
        XCTAssertEqual(form["billing_cycle_anchor"], String(Int(start.timeIntervalSince1970)))
        XCTAssertEqual(form["proration_behavior"], "none")
        XCTAssertNil(form["trial_end"])
    }

    func testABillingStartBeyondOnePeriodIsATrialEnd() async throws {
        let stub = StubStripeTransport(json: [
            (200, StripeBillingFixtures.product), (200, StripeBillingFixtures.price),
            (200, StripeBillingFixtures.subscription(status: "trialing", trialEnd: "1703000000")),
        ])
        let start = StripeTest.now.addingTimeInterval(20 * 86_400)
        let result = try await StripeConnector(transport: stub).createSubscription(
            try request(billingStart: start, interval: BillingInterval(unit: .week, count: 2)), context: StripeTest.context())
        XCTAssertEqual(result.status, .trialing)
        let requests = await stub.requests
        XCTAssertEqual(StripeTest.formDictionary(requests[1].body)["recurring[interval]"], "week")
        XCTAssertEqual(StripeTest.formDictionary(requests[1].body)["recurring[interval_count]"], "2")
        let form = StripeTest.formDictionary(requests[2].body)
        XCTAssertEqual(form["trial_end"], String(Int(start.timeIntervalSince1970)))
        XCTAssertNil(form["billing_cycle_anchor"])
    }

    func testLocalstripeGetsAPlanTheCustomersDefaultAndATrialEnd() async throws {
        let stub = StubStripeTransport(json: [
            (200, StripeBillingFixtures.customer), (200, StripeBillingFixtures.product), (200, StripeBillingFixtures.plan),
            (200, StripeBillingFixtures.subscription(status: "incomplete", trialEnd: "1702592000")),
        ])
        let context = StripeTest.context(["emulator": "localstripe", "base_url": "http://127.0.0.1:8420"])
        let start = StripeTest.now.addingTimeInterval(86_400)
        let result = try await StripeConnector(transport: stub).createSubscription(try request(billingStart: start), context: context)

        let requests = await stub.requests
        XCTAssertEqual(requests.map(\.url), [
            "http://127.0.0.1:8420/v1/customers/\(StripeBillingFixtures.customerID)", "http://127.0.0.1:8420/v1/products",
            "http://127.0.0.1:8420/v1/plans", "http://127.0.0.1:8420/v1/subscriptions",
        ])
        XCTAssertEqual(pairs(requests[0]), ["invoice_settings[default_payment_method]=\(StripeBillingFixtures.paymentMethodID)"])
        XCTAssertEqual(pairs(requests[2]), [
            "currency=eur", "product=prod_NWjs8kKbJWmuuc", "amount=1500", "interval=month", "interval_count=1",
            "metadata[payhub_subscription]=sub_payhub1",
        ])
        XCTAssertEqual(pairs(requests[3]), [
            "customer=\(StripeBillingFixtures.customerID)", "items[0][plan]=plan_NjpIbv3r6Qv4Wn",
            "metadata[payhub_subscription]=sub_payhub1", "payment_behavior=allow_incomplete",
            "trial_end=\(Int(start.timeIntervalSince1970))", "expand[]=latest_invoice",
        ])
        // localstripe's uninvoiced subscription with a trial is what Stripe calls trialing.
        XCTAssertEqual(result.status, .trialing)
    }

    func testCreateRefusesAMethodWithoutCustomerBeforeSendingAnything() async throws {
        let stub = StubStripeTransport(json: [])
        var bad = try request()
        bad.method.customerReference = nil
        let error = await connectorError { try await StripeConnector(transport: stub).createSubscription(bad, context: StripeTest.context()) }
        XCTAssertEqual(error, .invalidRequest(
            code: "invalid_saved_method", message: "A saved Stripe card needs its customer (cus_...).", param: "customer"))
        let sent = await stub.requests
        XCTAssertEqual(sent.count, 0)
    }

    // MARK: Cancel, resume, update, retrieve

    func testCancelAtPeriodEndThenResume() async throws {
        let stub = StubStripeTransport(json: [
            (200, StripeBillingFixtures.subscription(status: "active", cancelAtPeriodEnd: true)),
            (200, StripeBillingFixtures.subscription(status: "active")),
        ])
        let connector = StripeConnector(transport: stub)
        let id = StripeBillingFixtures.subscriptionID
        let canceling = try await connector.cancelSubscription(reference: id, atPeriodEnd: true, context: StripeTest.context())
        XCTAssertEqual(canceling.status, .active)
        XCTAssertTrue(canceling.cancelAtPeriodEnd)
        let resumed = try await connector.resumeSubscription(reference: id, context: StripeTest.context())
        XCTAssertFalse(resumed.cancelAtPeriodEnd)

        let requests = await stub.requests
        XCTAssertEqual(requests.map(\.url), Array(repeating: "https://api.stripe.com/v1/subscriptions/\(id)", count: 2))
        XCTAssertEqual(pairs(requests[0]), ["cancel_at_period_end=true", "expand[]=latest_invoice"])
        XCTAssertEqual(pairs(requests[1]), ["cancel_at_period_end=false", "expand[]=latest_invoice"])
    }

    func testCancelNowDeletes() async throws {
        let stub = StubStripeTransport(json: [(200, StripeBillingFixtures.subscription(status: "canceled"))])
        let result = try await StripeConnector(transport: stub).cancelSubscription(
            reference: StripeBillingFixtures.subscriptionID, atPeriodEnd: false, context: StripeTest.context())
        XCTAssertEqual(result.status, .canceled)
        let request = try await stub.firstRequest()
        XCTAssertEqual(request.method, .delete)
        XCTAssertEqual(request.url, "https://api.stripe.com/v1/subscriptions/\(StripeBillingFixtures.subscriptionID)?expand%5B%5D=latest_invoice")
        XCTAssertTrue(request.body.isEmpty)
    }

    func testARetriedCancelNowThatAlreadyWentThroughReportsTheCanceledSubscription() async throws {
        let alreadyCanceled = #"{"error": {"code": "resource_missing", "message": "No such subscription", "type": "invalid_request_error"}}"#
        let stub = StubStripeTransport(json: [(404, alreadyCanceled), (200, StripeBillingFixtures.subscription(status: "canceled"))])
        let result = try await StripeConnector(transport: stub).cancelSubscription(
            reference: StripeBillingFixtures.subscriptionID, atPeriodEnd: false, context: StripeTest.context())
        XCTAssertEqual(result.status, .canceled)

        let stillActive = StubStripeTransport(json: [(400, alreadyCanceled), (200, StripeBillingFixtures.subscription(status: "active"))])
        let error = await connectorError {
            try await StripeConnector(transport: stillActive).cancelSubscription(
                reference: StripeBillingFixtures.subscriptionID, atPeriodEnd: false, context: StripeTest.context())
        }
        XCTAssertEqual(error, .invalidRequest(code: "resource_missing", message: "No such subscription", param: nil))
    }

    func testUpdateOfTheAmountMovesToANewPriceFromTheNextPeriod() async throws {
        let stub = StubStripeTransport(json: [
            (200, StripeBillingFixtures.subscription(status: "active")), (200, StripeBillingFixtures.price),
            (200, StripeBillingFixtures.subscription(status: "active")),
        ])
        let context = StripeTest.context()
        _ = try await StripeConnector(transport: stub).updateSubscription(
            reference: StripeBillingFixtures.subscriptionID, amount: try StripeTest.money(2500), interval: BillingInterval(unit: .month),
            context: context)

        let requests = await stub.requests
        XCTAssertEqual(requests.map(\.method), [.get, .post, .post])
        XCTAssertEqual(requests[1].headers["Idempotency-Key"], "payhub-price-\(StripeBillingFixtures.subscriptionID)-2500EUR-1month")
        XCTAssertEqual(pairs(requests[1]), [
            "currency=eur", "product=prod_NbnRyY8Lh2Ux8u", "unit_amount=2500", "recurring[interval]=month",
            "recurring[interval_count]=1", "metadata[payhub_subscription]=sub_payhub1",
        ])
        XCTAssertEqual(pairs(requests[2]), [
            "items[0][id]=\(StripeBillingFixtures.itemID)", "items[0][price]=price_1MoBy5LkdIwHu7ixZhnattbh",
            "proration_behavior=none", "expand[]=latest_invoice",
        ])
    }

    func testUpdateOfTheIntervalKeepsThePaidPeriodAsATrial() async throws {
        let stub = StubStripeTransport(json: [
            (200, StripeBillingFixtures.subscription(status: "active")), (200, StripeBillingFixtures.price),
            (200, StripeBillingFixtures.subscription(status: "trialing", interval: "year")),
        ])
        var context = StripeTest.context()
        context.now = Date(timeIntervalSince1970: TimeInterval(StripeBillingFixtures.periodStart + 86_400))
        _ = try await StripeConnector(transport: stub).updateSubscription(
            reference: StripeBillingFixtures.subscriptionID, amount: try StripeTest.money(15000), interval: BillingInterval(unit: .year),
            context: context)
        let form = StripeTest.formDictionary(await stub.requests[2].body)
        XCTAssertEqual(form["trial_end"], String(StripeBillingFixtures.periodEnd))
        XCTAssertEqual(form["proration_behavior"], "none")
    }

    func testRetrieveExpandsTheLatestInvoice() async throws {
        let failed = StripeBillingFixtures.invoice(status: "open", amountDue: 1500)
        let stub = StubStripeTransport(json: [(200, StripeBillingFixtures.subscription(status: "past_due", latestInvoice: failed))])
        let result = try await StripeConnector(transport: stub).retrieveSubscription(
            reference: StripeBillingFixtures.subscriptionID, context: StripeTest.context())
        let sent = try await stub.firstRequest()
        XCTAssertEqual(sent.url, "https://api.stripe.com/v1/subscriptions/\(StripeBillingFixtures.subscriptionID)?expand%5B%5D=latest_invoice")
        XCTAssertEqual(result.status, .pastDue)
        XCTAssertEqual(result.latestRenewal?.paid, false)
        XCTAssertEqual(result.latestRenewal?.amount, try StripeTest.money(1500))
    }

    func testAHostileReferenceIsRefusedBeforeAnythingIsSent() async throws {
        let stub = StubStripeTransport(json: [])
        let connector = StripeConnector(transport: stub)
        for reference in ["sub_1/../../v1/charges", "sub_", "in_1", "sub_1?expand[]=customer"] {
            await XCTAssertThrowsConnectorError(.invalidRequest(code: "resource_missing", message: "No such Stripe subscription.", param: nil)) {
                try await connector.retrieveSubscription(reference: reference, context: StripeTest.context())
            }
        }
        let sent = await stub.requests
        XCTAssertEqual(sent.count, 0)
    }

    // MARK: Statuses and renewals

    func testEveryStripeStatusMaps() async throws {
        let expected: [(String, ProviderSubscriptionStatus)] = [
            ("incomplete", .incomplete), ("incomplete_expired", .ended), ("trialing", .trialing), ("active", .active),
            ("past_due", .pastDue), ("unpaid", .pastDue), ("paused", .pastDue), ("canceled", .canceled),
        ]
        for (stripe, payhub) in expected {
            let stub = StubStripeTransport(json: [(200, StripeBillingFixtures.subscription(status: stripe, latestInvoice: "\"in_1\""))])
            let result = try await StripeConnector(transport: stub).retrieveSubscription(
                reference: StripeBillingFixtures.subscriptionID, context: StripeTest.context())
            XCTAssertEqual(result.status, payhub, stripe)
            // An invoice given by id only says nothing of the renewal.
            XCTAssertNil(result.latestRenewal)
        }
        let stub = StubStripeTransport(json: [(200, StripeBillingFixtures.subscription(status: "frozen"))])
        await XCTAssertThrowsConnectorError(.invalidResponse("Stripe subscription in unexpected status 'frozen'")) {
            try await StripeConnector(transport: stub).retrieveSubscription(
                reference: StripeBillingFixtures.subscriptionID, context: StripeTest.context())
        }
    }

    func testAnIncompleteSubscriptionWithAnInvoiceOrAPastTrialIsIncomplete() async throws {
        for body in [
            StripeBillingFixtures.subscription(status: "incomplete", latestInvoice: "\"in_1\"", trialEnd: "1800000000"),
            StripeBillingFixtures.subscription(status: "incomplete", trialEnd: "1600000000"),
            StripeBillingFixtures.subscription(status: "incomplete"),
        ] {
            let stub = StubStripeTransport(json: [(200, body)])
            let result = try await StripeConnector(transport: stub).retrieveSubscription(
                reference: StripeBillingFixtures.subscriptionID, context: StripeTest.context())
            XCTAssertEqual(result.status, .incomplete)
        }
    }

    func testInvoicesThatChargeNothingAreNoRenewal() async throws {
        for invoice in [
            StripeBillingFixtures.invoice(status: "paid", amountDue: 0, billingReason: "subscription_create"),
            StripeBillingFixtures.invoice(status: "draft"),
            StripeBillingFixtures.invoice(status: "void"),
        ] {
            let stub = StubStripeTransport(json: [(200, StripeBillingFixtures.subscription(status: "active", latestInvoice: invoice))])
            let result = try await StripeConnector(transport: stub).retrieveSubscription(
                reference: StripeBillingFixtures.subscriptionID, context: StripeTest.context())
            XCTAssertNil(result.latestRenewal, invoice)
        }
    }

    func testARenewalsPeriodIsItsLineNotTheInvoicesOwnPeriod() async throws {
        // The invoice's own period_start/period_end is the period that ended; the line is the one paid for.
        let invoice = StripeBillingFixtures.invoice(status: "paid", lineStart: 1_702_592_000, lineEnd: 1_705_270_400)
        let stub = StubStripeTransport(json: [(200, StripeBillingFixtures.subscription(status: "active", latestInvoice: invoice))])
        let renewal = try await StripeConnector(transport: stub).retrieveSubscription(
            reference: StripeBillingFixtures.subscriptionID, context: StripeTest.context()).latestRenewal
        XCTAssertEqual(renewal?.periodStart, Date(timeIntervalSince1970: 1_702_592_000))
        XCTAssertEqual(renewal?.periodEnd, Date(timeIntervalSince1970: 1_705_270_400))
    }

    func testNewerAPIVersionsShapesAreRead() async throws {
        // From 2025-03-31 the period is on the items, the subscription under `parent` and payments in `payments`.
        let invoice = """
            {"id": "in_new", "object": "invoice", "status": "paid", "amount_due": 900, "amount_paid": 900, "currency": "jpy",
             "parent": {"type": "subscription_details", "subscription_details": {"subscription": "sub_new"}},
             "payments": {"object": "list", "data": [{"id": "inpay_1", "payment": {"type": "payment_intent", "payment_intent": "pi_new"}}]},
             "lines": {"object": "list", "data": [{"id": "il_1", "period": {"start": 1700000000, "end": 1702592000}}]}}
            """
        let subscription = """
            {"id": "sub_new", "object": "subscription", "status": "active", "cancel_at_period_end": false,
             "items": {"object": "list", "data": [{"id": "si_1", "current_period_start": 1700000000, "current_period_end": 1702592000}]},
             "latest_invoice": \(invoice)}
            """
        let stub = StubStripeTransport(json: [(200, subscription)])
        let result = try await StripeConnector(transport: stub).retrieveSubscription(reference: "sub_new", context: StripeTest.context())
        XCTAssertEqual(result, ConnectorSubscriptionResult(
            reference: "sub_new", status: .active, currentPeriodStart: Self.start, currentPeriodEnd: Self.end, cancelAtPeriodEnd: false,
            latestRenewal: ProviderRenewal(
                reference: "in_new", amount: try StripeTest.money(900, "JPY"), paid: true, paymentReference: "pi_new",
                periodStart: Self.start, periodEnd: Self.end)))
    }

    // MARK: Webhooks

    private func parse(type: String, object: String) throws -> ProviderWebhookEvent {
        try StripeConnector(transport: StubStripeTransport(json: [])).parseWebhook(
            StripeTest.signedWebhook(StripeFixtures.event(type: type, object: object)), context: StripeTest.context())
    }

    func testSubscriptionEventsReportTheSubscription() throws {
        for type in ["customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted"] {
            let event = try parse(type: type, object: StripeBillingFixtures.subscription(status: "past_due", cancelAtPeriodEnd: true))
            XCTAssertEqual(event, .subscription(reference: StripeBillingFixtures.subscriptionID, result: ConnectorSubscriptionResult(
                reference: StripeBillingFixtures.subscriptionID, status: .pastDue, currentPeriodStart: Self.start,
                currentPeriodEnd: Self.end, cancelAtPeriodEnd: true, latestRenewal: nil)), type)
        }
    }

    func testInvoiceEventsReportTheRenewal() throws {
        let renewal = ProviderRenewal(
            reference: StripeBillingFixtures.invoiceID, amount: try StripeTest.money(1500), paid: true,
            paymentReference: "pi_3MtHbELkdIwHu7ix0T4N7Ll5", periodStart: Self.start, periodEnd: Self.end)
        for type in ["invoice.paid", "invoice.payment_succeeded"] {
            let event = try parse(type: type, object: StripeBillingFixtures.invoice(status: "paid"))
            XCTAssertEqual(event, .subscription(reference: StripeBillingFixtures.subscriptionID, result: ConnectorSubscriptionResult(
                reference: StripeBillingFixtures.subscriptionID, status: .active, currentPeriodStart: Self.start,
                currentPeriodEnd: Self.end, cancelAtPeriodEnd: false, latestRenewal: renewal, stateIsInferred: true)), type)
        }

        var failedRenewal = renewal
        failedRenewal.paid = false
        let failed = try parse(type: "invoice.payment_failed", object: StripeBillingFixtures.invoice(status: "open"))
        guard case .subscription(_, let result) = failed else { return XCTFail("\(failed)") }
        XCTAssertEqual(result.status, .pastDue)
        XCTAssertEqual(result.latestRenewal, failedRenewal)
        XCTAssertTrue(result.stateIsInferred)

        let firstFailed = try parse(
            type: "invoice.payment_failed", object: StripeBillingFixtures.invoice(status: "open", billingReason: "subscription_create"))
        guard case .subscription(_, let first) = firstFailed else { return XCTFail("\(firstFailed)") }
        XCTAssertEqual(first.status, .incomplete)
    }

    func testInvoiceEventsWithoutSubscriptionOrChargeAreIgnored() throws {
        let oneOff = StripeBillingFixtures.invoice(status: "paid").replacingOccurrences(
            of: #""subscription": "\#(StripeBillingFixtures.subscriptionID)","#, with: #""subscription": null,"#)
        XCTAssertEqual(try parse(type: "invoice.paid", object: oneOff), .ignored(type: "invoice.paid"))
        XCTAssertEqual(
            try parse(type: "invoice.paid", object: StripeBillingFixtures.invoice(status: "paid", amountDue: 0)), .ignored(type: "invoice.paid"))
    }

    func testAnUnreadableSubscriptionEventIsRefused() {
        XCTAssertThrowsError(try parse(type: "customer.subscription.updated", object: #"{"id": "sub_1"}"#)) { error in
            guard case ConnectorError.invalidResponse = error else { return XCTFail("\(error)") }
        }
    }
}
