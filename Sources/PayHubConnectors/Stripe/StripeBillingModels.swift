/// The parts of Stripe Billing's objects PayHub reads (API version `StripeAPIClient.apiVersion`; fields that
/// newer versions moved are read from both places, since webhook bodies follow the endpoint's version).

/// https://docs.stripe.com/api/subscriptions/object
struct StripeSubscription: Decodable, Sendable, Equatable, StripeIdentified {
    var id: String
    var status: String
    var cancelAtPeriodEnd: Bool?
    var currentPeriodStart: Int64?
    var currentPeriodEnd: Int64?
    var trialEnd: Int64?
    var items: StripeList<StripeSubscriptionItem>?
    var latestInvoice: StripeExpandable<StripeInvoice>?
    var metadata: [String: String]?
    var customer: StripeExpandable<StripeObjectID>?

    enum CodingKeys: String, CodingKey {
        case id, status, items, metadata, customer
        case cancelAtPeriodEnd = "cancel_at_period_end"
        case currentPeriodStart = "current_period_start"
        case currentPeriodEnd = "current_period_end"
        case trialEnd = "trial_end"
        case latestInvoice = "latest_invoice"
    }

    /// The current period: on the subscription up to API version 2025-03-31, on its items since.
    var period: (start: Int64, end: Int64)? {
        if let start = currentPeriodStart, let end = currentPeriodEnd { return (start, end) }
        guard let item = items?.data.first, let start = item.currentPeriodStart, let end = item.currentPeriodEnd else { return nil }
        return (start, end)
    }
}

/// https://docs.stripe.com/api/subscription_items/object
struct StripeSubscriptionItem: Decodable, Sendable, Equatable {
    /// A Price or a Plan: PayHub reads its id and product.
    struct Pricing: Decodable, Sendable, Equatable {
        var id: String
        var product: StripeExpandable<StripeObjectID>?
        var interval: String?
        var intervalCount: Int?
        var recurring: Recurring?

        struct Recurring: Decodable, Sendable, Equatable {
            var interval: String?
            var intervalCount: Int?

            enum CodingKeys: String, CodingKey {
                case interval
                case intervalCount = "interval_count"
            }
        }

        enum CodingKeys: String, CodingKey {
            case id, product, interval, recurring
            case intervalCount = "interval_count"
        }
    }

    var id: String
    var price: Pricing?
    var plan: Pricing?
    var currentPeriodStart: Int64?
    var currentPeriodEnd: Int64?

    enum CodingKeys: String, CodingKey {
        case id, price, plan
        case currentPeriodStart = "current_period_start"
        case currentPeriodEnd = "current_period_end"
    }

    var productID: String? { price?.product?.id ?? plan?.product?.id }

    /// `month`/`1` and the like, as the item's price (or plan) says.
    var interval: (unit: String, count: Int)? {
        if let recurring = price?.recurring, let unit = recurring.interval { return (unit, recurring.intervalCount ?? 1) }
        if let unit = plan?.interval { return (unit, plan?.intervalCount ?? 1) }
        return nil
    }
}

/// https://docs.stripe.com/api/invoiceitems/object: read only to undo localstripe's unasked-for prorations.
struct StripeInvoiceItem: Decodable, Sendable, Equatable {
    var id: String
    var proration: Bool?
    var subscription: String?
}

/// https://docs.stripe.com/api/invoices/object
struct StripeInvoice: Decodable, Sendable, Equatable, StripeIdentified {
    struct Period: Decodable, Sendable, Equatable {
        var start: Int64
        var end: Int64
    }

    struct Line: Decodable, Sendable, Equatable {
        var type: String?
        var period: Period?
    }

    /// `payments` (API versions from 2025-03-31): the invoice's PaymentIntents and Charges.
    struct Payment: Decodable, Sendable, Equatable {
        struct Reference: Decodable, Sendable, Equatable {
            var paymentIntent: StripeExpandable<StripeObjectID>?
            var charge: StripeExpandable<StripeObjectID>?

            enum CodingKeys: String, CodingKey {
                case charge
                case paymentIntent = "payment_intent"
            }
        }

        var payment: Reference?
    }

    var id: String
    var status: String?
    var paid: Bool?
    var amountDue: Int64?
    var amountPaid: Int64?
    var currency: String?
    var billingReason: String?
    var subscriptionID: String?
    var paymentIntent: StripeExpandable<StripeObjectID>?
    var charge: StripeExpandable<StripeObjectID>?
    var payments: StripeList<Payment>?
    var lines: StripeList<Line>?
    var periodStart: Int64?
    var periodEnd: Int64?
    var hostedInvoiceURL: String?

    enum CodingKeys: String, CodingKey {
        case id, status, paid, currency, subscription, charge, payments, lines, parent
        case amountDue = "amount_due"
        case amountPaid = "amount_paid"
        case billingReason = "billing_reason"
        case paymentIntent = "payment_intent"
        case periodStart = "period_start"
        case periodEnd = "period_end"
        case hostedInvoiceURL = "hosted_invoice_url"
    }

    /// `parent.subscription_details.subscription` (API versions from 2025-03-31).
    private struct Parent: Decodable {
        struct Details: Decodable { var subscription: StripeExpandable<StripeObjectID>? }
        var subscriptionDetails: Details?
        enum CodingKeys: String, CodingKey { case subscriptionDetails = "subscription_details" }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        status = try container.decodeIfPresent(String.self, forKey: .status)
        paid = try container.decodeIfPresent(Bool.self, forKey: .paid)
        amountDue = try container.decodeIfPresent(Int64.self, forKey: .amountDue)
        amountPaid = try container.decodeIfPresent(Int64.self, forKey: .amountPaid)
        currency = try container.decodeIfPresent(String.self, forKey: .currency)
        billingReason = try container.decodeIfPresent(String.self, forKey: .billingReason)
        paymentIntent = try container.decodeIfPresent(StripeExpandable<StripeObjectID>.self, forKey: .paymentIntent)
        charge = try container.decodeIfPresent(StripeExpandable<StripeObjectID>.self, forKey: .charge)
        payments = try? container.decodeIfPresent(StripeList<Payment>.self, forKey: .payments)
        lines = try? container.decodeIfPresent(StripeList<Line>.self, forKey: .lines)
        periodStart = try container.decodeIfPresent(Int64.self, forKey: .periodStart)
        periodEnd = try container.decodeIfPresent(Int64.self, forKey: .periodEnd)
        hostedInvoiceURL = try? container.decodeIfPresent(String.self, forKey: .hostedInvoiceURL)
        let parent = try? container.decodeIfPresent(Parent.self, forKey: .parent)
        subscriptionID = try container.decodeIfPresent(StripeExpandable<StripeObjectID>.self, forKey: .subscription)?.id
            ?? parent?.subscriptionDetails?.subscription?.id
    }

    /// The PaymentIntent that paid (or tried to pay) the invoice, else its Charge.
    var paymentReference: String? {
        if let paymentIntent { return paymentIntent.id }
        if let charge { return charge.id }
        let reference = payments?.data.compactMap(\.payment).first
        return reference?.paymentIntent?.id ?? reference?.charge?.id
    }

    /// The period the invoice bills: its subscription line's. (An invoice's own `period_start`/`period_end` is
    /// the period that just ended, not the one a renewal pays for.)
    var billedPeriod: Period? {
        let withPeriod = lines?.data.filter { $0.period != nil } ?? []
        return (withPeriod.first { $0.type == "subscription" } ?? withPeriod.first)?.period
    }
}
