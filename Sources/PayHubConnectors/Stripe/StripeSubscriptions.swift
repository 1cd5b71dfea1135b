import Foundation
import PayHubCore

/// Automatic renewals through Stripe Billing (https://docs.stripe.com/api/subscriptions): a Product and a
/// recurring Price per PayHub subscription, and a Subscription on the customer and card the first payment
/// saved. Stripe charges every period and reports each renewal as an invoice (`latest_invoice`, invoice webhooks).
extension StripeConnector: SubscriptionConnector {
    /// Shown on every request that reads a subscription, so its latest invoice comes as an object.
    static let expandLatestInvoice = "latest_invoice"
    /// A billing start less than this ahead is now: Stripe refuses a trial end or anchor that has already passed.
    static let billingStartTolerance: TimeInterval = 60

    public func createSubscription(
        _ request: ConnectorSubscriptionRequest, context: ConnectorContext
    ) async throws -> ConnectorSubscriptionResult {
        let credentials = try credentials(for: context)
        let (customer, method) = try Self.savedCard(request.method)
        let key = request.idempotencyKey
        let metadata = ["payhub_subscription": request.subscriptionID.rawValue]
        if credentials.emulator == .localstripe {
            // localstripe takes no `default_payment_method` on subscriptions: it charges the customer's default.
            var form = StripeForm()
            form.add("invoice_settings[default_payment_method]", method)
            let _: StripeObjectID = try await api.post("/v1/customers/\(customer)", form: form, credentials: credentials)
        }

        var productForm = StripeForm()
        productForm.add("name", request.description ?? "PayHub subscription \(request.subscriptionID.rawValue)")
        productForm.add("metadata", dictionary: metadata)
        let product: StripeObjectID = try await api.post(
            "/v1/products", form: productForm, idempotencyKey: key + ":product", credentials: credentials)
        let item = try await createPrice(
            request.amount, interval: request.interval, product: product.id, metadata: metadata, idempotencyKey: key + ":price",
            credentials: credentials)

        var form = StripeForm()
        form.add("customer", customer)
        form.add("items[0][\(item.key)]", item.id)
        form.add("metadata", dictionary: metadata)
        form.add("payment_behavior", "allow_incomplete")
        if credentials.emulator == nil {
            form.add("default_payment_method", method)
            form.add("off_session", "true")
            form.add("description", request.description)
        }
        Self.addBillingStart(request.billingStart, interval: request.interval, now: context.now, to: &form, emulator: credentials.emulator)
        form.add("expand[]", Self.expandLatestInvoice)
        let subscription: StripeSubscription = try await api.post(
            "/v1/subscriptions", form: form, idempotencyKey: key + ":subscription", credentials: credentials)
        return try subscription.result(now: context.now)
    }

    /// Cancels at the end of the paid period (`cancel_at_period_end=true`, https://docs.stripe.com/billing/subscriptions/cancel)
    /// or now (`DELETE`, without proration: the period paid stays paid).
    public func cancelSubscription(
        reference: String, atPeriodEnd: Bool, context: ConnectorContext
    ) async throws -> ConnectorSubscriptionResult {
        let credentials = try credentials(for: context)
        let path = try Self.subscriptionPath(reference)
        guard !atPeriodEnd else {
            var form = StripeForm()
            form.add("cancel_at_period_end", "true")
            return try await update(path, form: form, credentials: credentials, context: context)
        }
        do {
            let subscription: StripeSubscription = try await api.delete(path, query: Self.expandQuery, credentials: credentials)
            return try subscription.result(now: context.now)
        } catch ConnectorError.invalidRequest(let code, let message, let param) {
            // A retried cancel that already went through.
            let current = try await retrieveSubscription(reference: reference, context: context)
            guard current.status == .canceled || current.status == .ended else {
                throw ConnectorError.invalidRequest(code: code, message: message, param: param)
            }
            return current
        }
    }

    public func resumeSubscription(reference: String, context: ConnectorContext) async throws -> ConnectorSubscriptionResult {
        let credentials = try credentials(for: context)
        var form = StripeForm()
        form.add("cancel_at_period_end", "false")
        return try await update(try Self.subscriptionPath(reference), form: form, credentials: credentials, context: context)
    }

    /// Moves the subscription to a new Price from the next renewal on (`proration_behavior=none`: nothing is
    /// charged or credited for the current period). A new interval would restart the billing cycle now, so the
    /// period already paid becomes a trial up to its end (`trial_end`), after which the new cycle begins.
    public func updateSubscription(
        reference: String, amount: Money, interval: BillingInterval, context: ConnectorContext
    ) async throws -> ConnectorSubscriptionResult {
        let credentials = try credentials(for: context)
        let path = try Self.subscriptionPath(reference)
        let current: StripeSubscription = try await api.get(path, credentials: credentials)
        guard let item = current.items?.data.first, let product = item.productID else {
            throw ConnectorError.invalidResponse("Stripe subscription \(reference) has no item with a product")
        }
        let metadata = ["payhub_subscription": current.metadata?["payhub_subscription"] ?? reference]
        // Prices never change, so one per amount and interval serves every retry.
        let priceKey = "payhub-price-\(reference)-\(amount.minorUnits)\(amount.currency.code)-\(interval.count)\(interval.unit.rawValue)"
        let price = try await createPrice(
            amount, interval: interval, product: product, metadata: metadata, idempotencyKey: priceKey, credentials: credentials)

        var form = StripeForm()
        form.add("items[0][id]", item.id)
        form.add("items[0][\(price.key)]", price.id)
        // localstripe takes no `proration_behavior` on updates (see StripeEmulator).
        if credentials.emulator == nil { form.add("proration_behavior", "none") }
        let unchanged = item.interval.map { $0.unit == interval.unit.rawValue && $0.count == interval.count } ?? false
        if !unchanged, let end = current.period?.end, TimeInterval(end) > context.now.timeIntervalSince1970 + Self.billingStartTolerance {
            form.add("trial_end", String(end))
        }
        let updated = try await update(path, form: form, credentials: credentials, context: context)
        if credentials.emulator == .localstripe, let customer = current.customer?.id {
            try await removeLocalstripeProrations(subscription: reference, customer: customer, credentials: credentials)
        }
        return updated
    }

    public func retrieveSubscription(reference: String, context: ConnectorContext) async throws -> ConnectorSubscriptionResult {
        let credentials = try credentials(for: context)
        let subscription: StripeSubscription = try await api.get(
            try Self.subscriptionPath(reference), query: Self.expandQuery, credentials: credentials)
        return try subscription.result(now: context.now)
    }

    // MARK: - Helpers

    private func update(
        _ path: String, form: StripeForm, credentials: StripeCredentials, context: ConnectorContext
    ) async throws -> ConnectorSubscriptionResult {
        var form = form
        form.add("expand[]", Self.expandLatestInvoice)
        let subscription: StripeSubscription = try await api.post(path, form: form, credentials: credentials)
        return try subscription.result(now: context.now)
    }

    /// localstripe credits the unused time of the old price on every price change, whatever was asked; Stripe
    /// with `proration_behavior=none` credits nothing. Deleting those pending items makes the next renewal
    /// charge the new amount, as on Stripe.
    private func removeLocalstripeProrations(subscription: String, customer: String, credentials: StripeCredentials) async throws {
        guard Self.isStripeID(customer, prefixes: ["cus_"]) else { return }
        var query = StripeForm()
        query.add("customer", customer)
        query.add("limit", "100")
        let pending: StripeList<StripeInvoiceItem> = try await api.get("/v1/invoiceitems", query: query, credentials: credentials)
        for item in pending.data where item.proration == true && item.subscription == subscription && Self.isStripeID(item.id, prefixes: ["ii_"]) {
            let _: StripeObjectID = try await api.delete("/v1/invoiceitems/\(item.id)", credentials: credentials)
        }
    }

    /// A recurring Price (https://docs.stripe.com/api/prices/create); against localstripe, which has no Prices,
    /// a Plan (https://docs.stripe.com/api/plans/create, which Stripe still takes). Returns the item's key for it.
    private func createPrice(
        _ amount: Money, interval: BillingInterval, product: String, metadata: [String: String], idempotencyKey: String,
        credentials: StripeCredentials
    ) async throws -> (key: String, id: String) {
        var form = StripeForm()
        form.add("currency", StripeAmount.currency(of: amount))
        form.add("product", product)
        if credentials.emulator == .localstripe {
            form.add("amount", try StripeAmount.value(of: amount))
            form.add("interval", interval.unit.rawValue)
            form.add("interval_count", Int64(interval.count))
        } else {
            form.add("unit_amount", try StripeAmount.value(of: amount))
            form.add("recurring[interval]", interval.unit.rawValue)
            form.add("recurring[interval_count]", Int64(interval.count))
        }
        form.add("metadata", dictionary: metadata)
        let isPlan = credentials.emulator == .localstripe
        let created: StripeObjectID = try await api.post(
            isPlan ? "/v1/plans" : "/v1/prices", form: form, idempotencyKey: idempotencyKey, credentials: credentials)
        return (isPlan ? "plan" : "price", created.id)
    }

    /// When Stripe first charges: now, or at `billingStart`. On Stripe a start within the first natural period
    /// is the billing cycle anchor with that period free (`proration_behavior=none`: the subscription is
    /// `active`, its period paid through PayHub); a later one (a longer trial) is `trial_end`. localstripe ignores
    /// the anchor and would charge at once, so it always gets `trial_end`.
    static func addBillingStart(
        _ billingStart: Date, interval: BillingInterval, now: Date, to form: inout StripeForm, emulator: StripeEmulator?
    ) {
        guard billingStart.timeIntervalSince(now) > billingStartTolerance else { return }
        let timestamp = String(Int64(billingStart.timeIntervalSince1970.rounded(.down)))
        // The anchor must come before the next natural billing date; an hour's margin covers the clocks' drift.
        let naturalDate = interval.date(after: 1, from: now).addingTimeInterval(-3600)
        if emulator == nil, billingStart < naturalDate {
            form.add("billing_cycle_anchor", timestamp)
            form.add("proration_behavior", "none")
        } else {
            form.add("trial_end", timestamp)
        }
    }

    static var expandQuery: StripeForm {
        var query = StripeForm()
        query.add("expand[]", expandLatestInvoice)
        return query
    }

    static func subscriptionPath(_ reference: String) throws -> String {
        guard isStripeID(reference, prefixes: ["sub_"]) else {
            throw ConnectorError.invalidRequest(code: "resource_missing", message: "No such Stripe subscription.", param: nil)
        }
        return "/v1/subscriptions/\(reference)"
    }
}
