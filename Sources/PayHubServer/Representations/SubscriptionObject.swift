import Foundation
import PayHubConnectors
import PayHubCore
import Vapor

/// A subscription as the API and its events show it.
struct SubscriptionObject: Content, Equatable {
    struct Customer: Codable, Equatable, Sendable {
        var name: String?
        var email: String?
        var phone: String?
        var locale: String?
        var customerReference: String?

        enum CodingKeys: String, CodingKey {
            case name, email, phone, locale
            case customerReference = "customer_reference"
        }
    }

    /// A plan change waiting for the next renewal.
    struct PendingUpdate: Codable, Equatable, Sendable {
        var amount: Int64
        var interval: String
        var intervalCount: Int

        enum CodingKeys: String, CodingKey {
            case amount, interval
            case intervalCount = "interval_count"
        }
    }

    /// The saved method renewals are charged with, as the customer recognises it (no provider reference).
    struct PaymentMethod: Codable, Equatable, Sendable {
        var type: String
        @AlwaysEncoded var display: String?
    }

    var id: String
    var object = "subscription"
    var livemode: Bool
    var status: String
    var renewal: String
    var amount: Int64
    var currency: String
    var lineItems: [CheckoutSessionObject.LineItem]
    @AlwaysEncoded var description: String?
    var interval: String
    var intervalCount: Int
    @AlwaysEncoded var customer: Customer?
    var currentPeriod: Int
    var currentPeriodStart: Int64
    var currentPeriodEnd: Int64
    @AlwaysEncoded var paidThrough: Int64?
    var renewalsCount: Int
    @AlwaysEncoded var trialEnd: Int64?
    var cancelAtPeriodEnd: Bool
    @AlwaysEncoded var canceledAt: Int64?
    @AlwaysEncoded var endedAt: Int64?
    @AlwaysEncoded var endDate: Int64?
    @AlwaysEncoded var maxRenewals: Int?
    @AlwaysEncoded var pendingUpdate: PendingUpdate?
    var dunningEnd: String
    var dunningRetries: Int
    @AlwaysEncoded var nextRetryAt: Int64?
    @AlwaysEncoded var paymentMethod: PaymentMethod?
    @AlwaysEncoded var latestPaymentIntent: String?
    @AlwaysEncoded var checkoutSession: String?
    /// The page to pay on now: the first payment's hosted checkout while `incomplete`, the recovery page while `past_due`.
    @AlwaysEncoded var url: String?
    @AlwaysEncoded var testClock: String?
    @AlwaysEncoded var userType: String?
    var channel: String
    @AlwaysEncoded var country: String?
    var metadata: [String: String]
    var created: Int64
    var updated: Int64
    /// Automatic renewals: the provider's own subscription, once PayHub created it.
    @AlwaysEncoded var providerSubscription: String?

    enum CodingKeys: String, CodingKey {
        case id, object, livemode, status, renewal, amount, currency, description, interval, customer, url, channel, country, metadata
        case created, updated
        case lineItems = "line_items"
        case intervalCount = "interval_count"
        case currentPeriod = "current_period"
        case currentPeriodStart = "current_period_start"
        case currentPeriodEnd = "current_period_end"
        case paidThrough = "paid_through"
        case renewalsCount = "renewals_count"
        case trialEnd = "trial_end"
        case cancelAtPeriodEnd = "cancel_at_period_end"
        case canceledAt = "canceled_at"
        case endedAt = "ended_at"
        case endDate = "end_date"
        case maxRenewals = "max_renewals"
        case pendingUpdate = "pending_update"
        case dunningEnd = "dunning_end"
        case dunningRetries = "dunning_retries"
        case nextRetryAt = "next_retry_at"
        case paymentMethod = "payment_method"
        case latestPaymentIntent = "latest_payment_intent"
        case checkoutSession = "checkout_session"
        case testClock = "test_clock"
        case userType = "user_type"
        case providerSubscription = "provider_subscription"
    }
}

/// A test clock as the API shows it.
struct TestClockObject: Content, Equatable {
    var id: String
    var object = "test_clock"
    var livemode: Bool
    @AlwaysEncoded var name: String?
    var frozenTime: Int64
    var created: Int64
    var updated: Int64

    enum CodingKeys: String, CodingKey {
        case id, object, livemode, name, created, updated
        case frozenTime = "frozen_time"
    }
}

extension Presenter {
    static func subscription(_ record: SubscriptionRecord, latestPaymentIntent: PaymentIntentID?, publicBaseURL: String) -> SubscriptionObject {
        let s = record.subscription
        let pending: SubscriptionObject.PendingUpdate? = s.pendingAmount == nil && s.pendingInterval == nil ? nil : .init(
            amount: (s.pendingAmount ?? s.amount).minorUnits, interval: (s.pendingInterval ?? s.interval).unit.rawValue,
            intervalCount: (s.pendingInterval ?? s.interval).count)
        let url: String? = switch s.status {
        case .incomplete: record.checkoutSessionID.map { CheckoutRoute.page.url($0, publicBaseURL: publicBaseURL) }
        case .pastDue: record.recoveryURL
        default: nil
        }
        return SubscriptionObject(
            id: s.id.rawValue,
            livemode: record.scope.livemode,
            status: s.status.rawValue,
            renewal: record.renewal.rawValue,
            amount: s.amount.minorUnits,
            currency: s.amount.currency.code,
            lineItems: record.lines.map(CheckoutSessionObject.LineItem.init),
            description: record.description,
            interval: s.interval.unit.rawValue,
            intervalCount: s.interval.count,
            customer: record.customer.map {
                .init(name: $0.name, email: $0.email, phone: $0.phone, locale: $0.locale, customerReference: record.customerReference)
            } ?? record.customerReference.map { .init(customerReference: $0) },
            currentPeriod: s.currentPeriod,
            currentPeriodStart: unix(s.currentPeriodStart),
            currentPeriodEnd: unix(s.currentPeriodEnd),
            paidThrough: s.paidThrough.map(unix),
            renewalsCount: s.paidThrough == nil ? 0 : max(s.openPeriod == nil ? s.currentPeriod - 1 : s.currentPeriod - 2, 0),
            trialEnd: s.trialEnd.map(unix),
            cancelAtPeriodEnd: s.cancelAtPeriodEnd,
            canceledAt: s.canceledAt.map(unix),
            endedAt: s.endedAt.map(unix),
            endDate: s.endDate.map(unix),
            maxRenewals: s.maxRenewals,
            pendingUpdate: pending,
            dunningEnd: s.dunningEnd.rawValue,
            dunningRetries: record.dunning.retries,
            nextRetryAt: record.dunning.nextRetryAt.map(unix),
            paymentMethod: record.savedMethod.map { .init(type: $0.type, display: $0.display) },
            latestPaymentIntent: latestPaymentIntent?.rawValue,
            checkoutSession: record.checkoutSessionID?.rawValue,
            url: url,
            testClock: record.testClockID?.rawValue,
            userType: record.userType,
            channel: record.channel.rawValue,
            country: record.country,
            metadata: record.metadata,
            created: unix(s.createdAt),
            updated: unix(s.updatedAt),
            providerSubscription: record.providerSubscription)
    }

    static func testClock(_ record: TestClockRecord) -> TestClockObject {
        TestClockObject(
            id: record.id.rawValue, livemode: record.scope.livemode, name: record.name, frozenTime: unix(record.frozenTime),
            created: unix(record.createdAt), updated: unix(record.updatedAt))
    }
}
