import Foundation
@testable import PayHubConnectors
import PayHubCore
import XCTest

/// Saved cards and Stripe-run subscriptions against a running localstripe (see StripeLocalstripeTests for how
/// to start it). Skipped when `PAYHUB_LOCALSTRIPE_URL` is not set.
///
/// localstripe renews nothing by itself: a renewal is an invoice created for the subscription
/// (`POST /v1/invoices` with `customer` and `subscription`) and paid (`POST /v1/invoices/{id}/pay`), which charges
/// the customer's default method and sends `invoice.payment_succeeded`, as Stripe's own renewal would.
final class StripeLocalstripeSubscriptionTests: LocalstripeTestCase {
    // MARK: Saved cards

    func testASavedCardIsChargedLaterWithoutTheCustomer() async throws {
        let saved = try await saveCard("4242424242424242")
        XCTAssertTrue(saved.customerReference?.hasPrefix("cus_") ?? false, "\(saved)")
        XCTAssertTrue(saved.methodReference.hasPrefix("pm_"), saved.methodReference)
        XCTAssertEqual(saved.display, "visa •••• 4242")
        let customer = try await admin.get("/v1/customers/\(try XCTUnwrap(saved.customerReference))", baseURL: baseURL)
        XCTAssertEqual(customer["name"] as? String, "Zoë Łukasiewicz")
        XCTAssertEqual(customer["email"] as? String, "zoe@example.com")
        let method = try await admin.get("/v1/payment_methods/\(saved.methodReference)", baseURL: baseURL)
        XCTAssertEqual(method["customer"] as? String, saved.customerReference)

        let renewal = try await connector.authorize(try offSession(saved, amount: 1500), context: context)
        XCTAssertEqual(renewal.outcome, .succeeded)
        XCTAssertNil(renewal.savedMethod)
        let intent = try await admin.get("/v1/payment_intents/\(try XCTUnwrap(renewal.providerReference))", baseURL: baseURL)
        XCTAssertEqual(intent["customer"] as? String, saved.customerReference)
        XCTAssertEqual(intent["payment_method"] as? String, saved.methodReference)
        XCTAssertEqual(intent["amount"] as? Int, 1500)
    }

    func testADecliningSavedCardFailsWithItsCode() async throws {
        // 4000000000000341 attaches to a customer, then declines every charge.
        let saved = try await attachedCard("4000000000000341")
        let result = try await connector.authorize(try offSession(saved, amount: 1500), context: context)
        XCTAssertEqual(result.outcome, .failed(PaymentFailure(
            kind: .cardError, code: "card_declined", declineCode: nil, message: "Your card was declined.")))
    }

    func testACardThatAlwaysNeedsAuthenticationIsSavedAfterItThenFailsOffSession() async throws {
        let method = try await admin.cardPaymentMethod("4000002760003184", baseURL: baseURL)
        let first = try await connector.authorize(try saving(token: method), context: context)
        guard case .requiresAction = first.outcome else { return XCTFail("\(first.outcome)") }
        XCTAssertNil(first.savedMethod)
        let reference = try XCTUnwrap(first.providerReference)

        let authenticated = try await connector.completeEmulatedAuthentication(reference: reference, success: true, context: context)
        XCTAssertEqual(authenticated.outcome, .succeeded)
        let saved = try XCTUnwrap(authenticated.savedMethod)
        let retrieved = try await connector.retrievePayment(reference: reference, context: context)
        XCTAssertEqual(retrieved.savedMethod?.methodReference, saved.methodReference)

        let renewal = try await connector.authorize(try offSession(saved, amount: 1500), context: context)
        guard case .failed(let failure) = renewal.outcome else { return XCTFail("\(renewal.outcome)") }
        XCTAssertEqual(failure.code, "authentication_required")
        let intent = try await admin.get("/v1/payment_intents/\(try XCTUnwrap(renewal.providerReference))", baseURL: baseURL)
        XCTAssertEqual(intent["status"] as? String, "canceled")
    }

    // MARK: Subscriptions

    func testASubscriptionStartsActiveWithItsFirstInvoicePaidThenRenews() async throws {
        let receiver = try LocalWebhookReceiver()
        defer { receiver.stop() }
        _ = try await admin.post("/_config/webhooks/payhub_stripe_subscription_tests", form: [
            "url": receiver.url, "secret": StripeLocalstripeTests.webhookSecret, "events[]": "invoice.payment_succeeded",
        ], baseURL: baseURL)

        let saved = try await saveCard("4242424242424242")
        let created = try await connector.createSubscription(try subscription(saved, key: UUID().uuidString), context: context)
        XCTAssertTrue(created.reference.hasPrefix("sub_"), created.reference)
        XCTAssertEqual(created.status, .active)
        XCTAssertFalse(created.cancelAtPeriodEnd)
        let first = try XCTUnwrap(created.latestRenewal)
        XCTAssertTrue(first.paid)
        XCTAssertEqual(first.amount, try money(1500))
        XCTAssertTrue(first.paymentReference?.hasPrefix("pi_") ?? false)
        XCTAssertEqual(first.periodStart, created.currentPeriodStart)
        XCTAssertEqual(first.periodEnd, created.currentPeriodEnd)

        let stored = try await admin.get("/v1/subscriptions/\(created.reference)", baseURL: baseURL)
        XCTAssertEqual(stored["metadata"] as? [String: String], ["payhub_subscription": "sub_payhub_localstripe"])
        let plan = try XCTUnwrap(stored["plan"] as? [String: Any])
        XCTAssertEqual(plan["amount"] as? Int, 1500)
        XCTAssertEqual(plan["interval"] as? String, "month")

        // The renewal, as localstripe makes one.
        let invoice = try await renew(created.reference, customer: try XCTUnwrap(saved.customerReference))
        let invoiceID = try XCTUnwrap(invoice["id"] as? String)
        XCTAssertEqual(invoice["status"] as? String, "paid")

        let renewed = try await connector.retrieveSubscription(reference: created.reference, context: context)
        XCTAssertEqual(renewed.status, .active)
        let renewal = try XCTUnwrap(renewed.latestRenewal)
        XCTAssertEqual(renewal.reference, invoiceID)
        XCTAssertNotEqual(renewal.reference, first.reference)
        XCTAssertTrue(renewal.paid)
        XCTAssertEqual(renewal.amount, try money(1500))
        XCTAssertEqual(renewal.paymentReference, invoice["payment_intent"] as? String)

        // The same renewal as Stripe's `invoice.paid` webhook would carry it, built from localstripe's invoice.
        let body = try Self.event(type: "invoice.paid", object: invoice)
        let event = try connector.parseWebhook(StripeTest.signedWebhook(body, secret: StripeLocalstripeTests.webhookSecret, at: Date()), context: context)
        guard case .subscription(let reference, let result) = event else { return XCTFail("\(event)") }
        XCTAssertEqual(reference, created.reference)
        XCTAssertEqual(result.latestRenewal, renewal)
        XCTAssertEqual(result.status, .active)

        // And as localstripe itself delivered it, signed.
        let delivered = try await receiver.webhook(matching: { String(decoding: $0.body, as: UTF8.self).contains(invoiceID) })
        let deliveredEvent = try connector.parseWebhook(delivered, context: context)
        guard case .subscription(let deliveredReference, let deliveredResult) = deliveredEvent else { return XCTFail("\(deliveredEvent)") }
        XCTAssertEqual(deliveredReference, created.reference)
        XCTAssertEqual(deliveredResult.latestRenewal, renewal)
    }

    /// localstripe leaves the subscription `active` when paying a renewal's invoice fails (Stripe makes it
    /// `past_due`) and sends no `invoice.payment_failed`; the renewal itself reads unpaid.
    func testAFailedRenewalReadsUnpaid() async throws {
        let saved = try await saveCard("4242424242424242")
        let created = try await connector.createSubscription(try subscription(saved, key: UUID().uuidString), context: context)
        // The card now declines: the customer's default becomes a declining one.
        let declining = try await attachedCard("4000000000000341", customer: try XCTUnwrap(saved.customerReference))
        _ = try await admin.post("/v1/customers/\(try XCTUnwrap(saved.customerReference))",
                                 form: ["invoice_settings[default_payment_method]": declining.methodReference], baseURL: baseURL)
        let invoice = try await renew(created.reference, customer: try XCTUnwrap(saved.customerReference))
        XCTAssertEqual(invoice["status"] as? String, "open")

        let retrieved = try await connector.retrieveSubscription(reference: created.reference, context: context)
        XCTAssertEqual(retrieved.status, .active, "localstripe's; Stripe says past_due")
        XCTAssertEqual(retrieved.latestRenewal?.reference, invoice["id"] as? String)
        XCTAssertEqual(retrieved.latestRenewal?.paid, false)

        let body = try Self.event(type: "invoice.payment_failed", object: invoice)
        let event = try connector.parseWebhook(StripeTest.signedWebhook(body, secret: StripeLocalstripeTests.webhookSecret, at: Date()), context: context)
        guard case .subscription(_, let result) = event else { return XCTFail("\(event)") }
        XCTAssertEqual(result.status, .pastDue)
        XCTAssertEqual(result.latestRenewal?.paid, false)
    }

    func testABillingStartLaterIsATrialUntilTheFirstInvoice() async throws {
        let saved = try await saveCard("4242424242424242")
        var request = try subscription(saved, key: UUID().uuidString)
        request.billingStart = Date().addingTimeInterval(86_400)
        let created = try await connector.createSubscription(request, context: context)
        XCTAssertEqual(created.status, .trialing)
        XCTAssertNil(created.latestRenewal)
        let invoices = try await admin.get("/v1/invoices?subscription=\(created.reference)", baseURL: baseURL)
        XCTAssertEqual((invoices["data"] as? [Any])?.count, 0, "nothing is charged before the billing start")

        let invoice = try await renew(created.reference, customer: try XCTUnwrap(saved.customerReference))
        let renewed = try await connector.retrieveSubscription(reference: created.reference, context: context)
        XCTAssertEqual(renewed.status, .active)
        XCTAssertEqual(renewed.latestRenewal?.reference, invoice["id"] as? String)
    }

    func testCancelAtPeriodEndThenResumeThenCancelNow() async throws {
        let saved = try await saveCard("4242424242424242")
        let created = try await connector.createSubscription(try subscription(saved, key: UUID().uuidString), context: context)

        let canceling = try await connector.cancelSubscription(reference: created.reference, atPeriodEnd: true, context: context)
        XCTAssertEqual(canceling.status, .active)
        XCTAssertTrue(canceling.cancelAtPeriodEnd)
        XCTAssertEqual(canceling.currentPeriodEnd, created.currentPeriodEnd)
        let stillCanceling = try await connector.retrieveSubscription(reference: created.reference, context: context)
        XCTAssertTrue(stillCanceling.cancelAtPeriodEnd)

        let resumed = try await connector.resumeSubscription(reference: created.reference, context: context)
        XCTAssertEqual(resumed.status, .active)
        XCTAssertFalse(resumed.cancelAtPeriodEnd)

        let canceled = try await connector.cancelSubscription(reference: created.reference, atPeriodEnd: false, context: context)
        XCTAssertEqual(canceled.status, .canceled)
        // A retried cancel reports the same.
        let again = try await connector.cancelSubscription(reference: created.reference, atPeriodEnd: false, context: context)
        XCTAssertEqual(again.status, .canceled)
        let retrieved = try await connector.retrieveSubscription(reference: created.reference, context: context)
        XCTAssertEqual(retrieved.status, .canceled)
    }

    func testAnUpdateChargesTheNewAmountFromTheNextRenewal() async throws {
        let saved = try await saveCard("4242424242424242")
        let created = try await connector.createSubscription(try subscription(saved, key: UUID().uuidString), context: context)

        let updated = try await connector.updateSubscription(
            reference: created.reference, amount: try money(2500), interval: BillingInterval(unit: .month), context: context)
        XCTAssertEqual(updated.status, .active)
        // Nothing charged now: the latest invoice is still the first one.
        XCTAssertEqual(updated.latestRenewal?.reference, created.latestRenewal?.reference)
        let stored = try await admin.get("/v1/subscriptions/\(created.reference)", baseURL: baseURL)
        XCTAssertEqual((stored["plan"] as? [String: Any])?["amount"] as? Int, 2500)

        let invoice = try await renew(created.reference, customer: try XCTUnwrap(saved.customerReference))
        XCTAssertEqual(invoice["amount_paid"] as? Int, 2500)
        let renewed = try await connector.retrieveSubscription(reference: created.reference, context: context)
        XCTAssertEqual(renewed.latestRenewal?.amount, try money(2500))
    }

    func testUnknownSubscriptionsAreLocalstripesNotFound() async throws {
        await XCTAssertThrowsConnectorError(.invalidRequest(code: "invalid_request_error", message: "Not Found", param: nil)) {
            try await self.connector.retrieveSubscription(reference: "sub_doesnotexist", context: self.context)
        }
    }

    // MARK: Helpers

    private func money(_ minorUnits: Int64) throws -> Money {
        Money(minorUnits: minorUnits, currency: try Currency(code: "EUR"))
    }

    private func saving(token: String) throws -> ConnectorPaymentRequest {
        ConnectorPaymentRequest(
            attemptID: PaymentAttemptID(rawValue: "py_localstripe_save"),
            paymentIntentID: PaymentIntentID(rawValue: "pi_payhub_localstripe_save"), amount: try money(1500),
            captureMethod: .automatic, method: PaymentMethodData(type: "card", token: token), returnURL: "https://shop.example/return",
            description: "first payment", customer: CustomerDetails(name: "Zoë Łukasiewicz", email: "zoe@example.com", locale: "pl"),
            idempotencyKey: UUID().uuidString, saveForOffSession: true)
    }

    /// A first payment that saves the card, as a subscription's first payment does.
    private func saveCard(_ number: String) async throws -> SavedPaymentMethod {
        let method = try await admin.cardPaymentMethod(number, baseURL: baseURL)
        let result = try await connector.authorize(try saving(token: method), context: context)
        XCTAssertEqual(result.outcome, .succeeded)
        return try XCTUnwrap(result.savedMethod)
    }

    /// A card attached to a customer directly, for cards whose first payment would already decline.
    private func attachedCard(_ number: String, customer: String? = nil) async throws -> SavedPaymentMethod {
        var customerID = customer
        if customerID == nil { customerID = try await admin.post("/v1/customers", form: ["name": "Decline"], baseURL: baseURL)["id"] as? String }
        let method = try await admin.cardPaymentMethod(number, baseURL: baseURL)
        let cus = try XCTUnwrap(customerID)
        _ = try await admin.post("/v1/payment_methods/\(method)/attach", form: ["customer": cus], baseURL: baseURL)
        return SavedPaymentMethod(customerReference: cus, methodReference: method, type: "card")
    }

    private func offSession(_ saved: SavedPaymentMethod, amount: Int64) throws -> ConnectorPaymentRequest {
        ConnectorPaymentRequest(
            attemptID: PaymentAttemptID(rawValue: "py_localstripe_renewal"),
            paymentIntentID: PaymentIntentID(rawValue: "pi_payhub_localstripe_renewal"), amount: try money(amount),
            captureMethod: .automatic, method: PaymentMethodData(type: "card"), returnURL: nil, description: "renewal",
            customer: nil, idempotencyKey: UUID().uuidString, offSessionMethod: saved)
    }

    private func subscription(_ saved: SavedPaymentMethod, key: String) throws -> ConnectorSubscriptionRequest {
        ConnectorSubscriptionRequest(
            subscriptionID: SubscriptionID(rawValue: "sub_payhub_localstripe"), amount: try money(1500),
            interval: try BillingInterval(unit: .month), description: "Gold plan", customer: nil, method: saved,
            billingStart: Date(), idempotencyKey: key)
    }

    /// localstripe's renewal: an invoice for the subscription, then paid with the customer's default method.
    private func renew(_ subscription: String, customer: String) async throws -> [String: Any] {
        let draft = try await admin.post("/v1/invoices", form: ["customer": customer, "subscription": subscription], baseURL: baseURL)
        let id = try XCTUnwrap(draft["id"] as? String)
        return try await admin.post("/v1/invoices/\(id)/pay", form: [:], baseURL: baseURL)
    }

    /// An Event envelope around `object`, as Stripe posts it to a webhook endpoint.
    private static func event(type: String, object: [String: Any]) throws -> String {
        let envelope: [String: Any] = [
            "id": "evt_payhub_\(UUID().uuidString.prefix(8))", "object": "event", "api_version": StripeAPIClient.apiVersion,
            "created": Int(Date().timeIntervalSince1970), "type": type, "livemode": false, "data": ["object": object],
        ]
        return String(decoding: try JSONSerialization.data(withJSONObject: envelope), as: UTF8.self)
    }
}
