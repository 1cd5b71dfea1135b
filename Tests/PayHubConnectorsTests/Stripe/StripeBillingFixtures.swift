/// Stripe Billing objects shaped like the examples of Stripe's API reference (Customer, Subscription, Invoice,
/// API version 2024-06-20), with the fields varied per test.
enum StripeBillingFixtures {
    static let customerID = "cus_NffrFeUfNV2Hib"
    static let paymentMethodID = "pm_1MqM05LkdIwHu7ixlDxxO6Mc"
    static let subscriptionID = "sub_1MowQVLkdIwHu7ixeRlqHVzs"
    static let itemID = "si_NcLYdDxLHxlFo7"
    static let invoiceID = "in_1MtHbELkdIwHu7ixl4OzzPMv"
    static let periodStart = 1_700_000_000
    static let periodEnd = 1_702_592_000

    static let customer = """
        {"id": "\(customerID)", "object": "customer", "email": "jenny.rosen@example.com", "name": "Jenny Rosen",
         "invoice_settings": {"default_payment_method": null}, "metadata": {}}
        """

    static let product = #"{"id": "prod_NWjs8kKbJWmuuc", "object": "product", "active": true, "name": "Gold plan"}"#
    static let price = #"{"id": "price_1MoBy5LkdIwHu7ixZhnattbh", "object": "price", "currency": "eur", "unit_amount": 1500}"#
    static let plan = #"{"id": "plan_NjpIbv3r6Qv4Wn", "object": "plan", "amount": 1500, "currency": "eur", "interval": "month"}"#

    /// A Subscription with one item; `latestInvoice` is raw JSON (an id string, an object or null).
    static func subscription(
        status: String, cancelAtPeriodEnd: Bool = false, latestInvoice: String = "null", trialEnd: String = "null",
        interval: String = "month", intervalCount: Int = 1
    ) -> String {
        """
        {
          "id": "\(subscriptionID)",
          "object": "subscription",
          "billing_cycle_anchor": \(periodStart),
          "cancel_at": null,
          "cancel_at_period_end": \(cancelAtPeriodEnd),
          "canceled_at": null,
          "collection_method": "charge_automatically",
          "created": \(periodStart),
          "currency": "eur",
          "current_period_end": \(periodEnd),
          "current_period_start": \(periodStart),
          "customer": "\(customerID)",
          "default_payment_method": "\(paymentMethodID)",
          "items": {
            "object": "list",
            "data": [
              {
                "id": "\(itemID)",
                "object": "subscription_item",
                "plan": {"id": "price_1MowQULkdIwHu7ixraBm864M", "object": "plan", "amount": 1500, "currency": "eur",
                         "interval": "\(interval)", "interval_count": \(intervalCount), "product": "prod_NbnRyY8Lh2Ux8u"},
                "price": {"id": "price_1MowQULkdIwHu7ixraBm864M", "object": "price", "currency": "eur",
                          "product": "prod_NbnRyY8Lh2Ux8u", "recurring": {"interval": "\(interval)", "interval_count": \(intervalCount)},
                          "unit_amount": 1500},
                "quantity": 1,
                "subscription": "\(subscriptionID)"
              }
            ],
            "has_more": false,
            "url": "/v1/subscription_items?subscription=\(subscriptionID)"
          },
          "latest_invoice": \(latestInvoice),
          "livemode": false,
          "metadata": {"payhub_subscription": "sub_payhub1"},
          "start_date": \(periodStart),
          "status": "\(status)",
          "trial_end": \(trialEnd),
          "trial_start": null
        }
        """
    }

    /// An Invoice of the subscription: `amount_due`, its `status`, the subscription line's period.
    static func invoice(
        id: String = invoiceID, status: String, amountDue: Int = 1500, billingReason: String = "subscription_cycle",
        paymentIntent: String = "\"pi_3MtHbELkdIwHu7ix0T4N7Ll5\"", lineStart: Int = periodStart, lineEnd: Int = periodEnd
    ) -> String {
        """
        {
          "id": "\(id)",
          "object": "invoice",
          "amount_due": \(amountDue),
          "amount_paid": \(status == "paid" ? amountDue : 0),
          "amount_remaining": \(status == "paid" ? 0 : amountDue),
          "attempt_count": 1,
          "attempted": true,
          "billing_reason": "\(billingReason)",
          "charge": "ch_3MtHbELkdIwHu7ix0bFzrpuS",
          "collection_method": "charge_automatically",
          "currency": "eur",
          "customer": "\(customerID)",
          "lines": {
            "object": "list",
            "data": [
              {"id": "il_1MtHbELkdIwHu7ixvHFyJMVA", "object": "line_item", "amount": \(amountDue), "currency": "eur",
               "period": {"end": \(lineEnd), "start": \(lineStart)}, "proration": false, "quantity": 1,
               "subscription": "\(subscriptionID)", "type": "subscription"}
            ],
            "has_more": false,
            "url": "/v1/invoices/\(id)/lines"
          },
          "livemode": false,
          "paid": \(status == "paid"),
          "payment_intent": \(paymentIntent),
          "period_end": \(lineStart),
          "period_start": \(lineStart - 2_592_000),
          "status": "\(status)",
          "subscription": "\(subscriptionID)",
          "total": \(amountDue)
        }
        """
    }
}
