import Foundation
import PayHubConnectors
import PayHubCore

/// A subscription as stored: the state `SubscriptionMachine` changes, whose it is, what it sells, the customer,
/// the saved method's provider references (never card data), dunning's progress and the test clock it follows.
struct SubscriptionRecord: Sendable, Equatable {
    var subscription: Subscription
    let scope: TenantScope
    var renewal: RenewalKind
    var lines: [CheckoutLine]
    var customer: CustomerDetails?
    var customerReference: String?
    var description: String?
    var metadata: [String: String]
    var userType: String?
    var channel: CheckoutChannel
    var country: String?
    var savedMethod: SavedPaymentMethod?
    /// The provider account that saved the method: renewals charge it there.
    var savedMethodAccountID: ProviderAccountID?
    var testClockID: TestClockID?
    /// The hosted checkout session of the first payment.
    var checkoutSessionID: CheckoutSessionID?
    var trialWillEndSent: Bool
    var dunning: SubscriptionDunning
    /// While past due: the intent of the session the customer was sent to pay the open renewal, and its page.
    var recoveryPaymentIntentID: PaymentIntentID?
    var recoveryURL: String?
    var idempotencyKey: String?
    /// Automatic renewals: the provider's own subscription (Stripe `sub_…`) once PayHub created it there.
    var providerSubscription: String? = nil

    var id: SubscriptionID { subscription.id }
}

/// Where dunning stands: when the renewal first failed, how many retries failed since, when the next one runs.
struct SubscriptionDunning: Sendable, Equatable {
    var failedAt: Date?
    var retries: Int
    var nextRetryAt: Date?

    static let none = SubscriptionDunning(failedAt: nil, retries: 0, nextRetryAt: nil)
}

/// A period that is charged, and the payment intent that charges it.
struct SubscriptionPeriodRecord: Sendable, Equatable {
    var subscriptionID: SubscriptionID
    var period: Int
    var paymentIntentID: PaymentIntentID
    var start: Date
    var end: Date
}

/// A test clock: the time its subscriptions follow, test mode only.
struct TestClockRecord: Sendable, Equatable {
    var id: TestClockID
    let scope: TenantScope
    var name: String?
    var frozenTime: Date
    var createdAt: Date
    var updatedAt: Date
    var idempotencyKey: String?
}
