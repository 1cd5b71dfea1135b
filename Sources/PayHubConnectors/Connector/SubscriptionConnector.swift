import Foundation
import PayHubCore

/// A provider that runs subscriptions itself (automatic renewals): it charges every period and reports each
/// renewal by webhook; PayHub creates the subscription, mirrors its state and records every renewal as a
/// payment intent of the PayHub subscription. Declared by `ConnectorCapabilities.providerSubscriptions`.
public protocol SubscriptionConnector: PaymentConnector {
    func createSubscription(_ request: ConnectorSubscriptionRequest, context: ConnectorContext) async throws -> ConnectorSubscriptionResult
    /// Cancels at the end of the current period (`atPeriodEnd`) or now.
    func cancelSubscription(reference: String, atPeriodEnd: Bool, context: ConnectorContext) async throws -> ConnectorSubscriptionResult
    /// Undoes a pending cancellation at period end.
    func resumeSubscription(reference: String, context: ConnectorContext) async throws -> ConnectorSubscriptionResult
    /// Changes the amount or interval from the next renewal on.
    func updateSubscription(reference: String, amount: Money, interval: BillingInterval, context: ConnectorContext) async throws -> ConnectorSubscriptionResult
    func retrieveSubscription(reference: String, context: ConnectorContext) async throws -> ConnectorSubscriptionResult
}

public struct ConnectorSubscriptionRequest: Sendable, Equatable {
    public var subscriptionID: SubscriptionID
    public var amount: Money
    public var interval: BillingInterval
    public var description: String?
    public var customer: CustomerDetails?
    /// The method saved by the first payment; the provider charges it every period.
    public var method: SavedPaymentMethod
    /// When the first period the provider charges for begins (after a trial, or after the first payment's period).
    public var billingStart: Date
    public var idempotencyKey: String

    public init(
        subscriptionID: SubscriptionID, amount: Money, interval: BillingInterval, description: String?, customer: CustomerDetails?,
        method: SavedPaymentMethod, billingStart: Date, idempotencyKey: String
    ) {
        self.subscriptionID = subscriptionID
        self.amount = amount
        self.interval = interval
        self.description = description
        self.customer = customer
        self.method = method
        self.billingStart = billingStart
        self.idempotencyKey = idempotencyKey
    }
}

/// How the provider's subscription stands.
public enum ProviderSubscriptionStatus: String, Sendable, Equatable, Codable {
    case incomplete, trialing, active, pastDue = "past_due", canceled, ended
}

/// One renewal the provider charged (Stripe: an invoice of the subscription).
public struct ProviderRenewal: Sendable, Equatable {
    /// The provider's id of the renewal (Stripe `in_…`): PayHub records each one once.
    public var reference: String
    public var amount: Money
    public var paid: Bool
    /// The provider's payment of the renewal (Stripe `pi_…` or `ch_…`), when there is one.
    public var paymentReference: String?
    public var periodStart: Date
    public var periodEnd: Date
    /// The provider's page where the customer pays an unpaid renewal (Stripe's hosted invoice page), when it has one.
    public var paymentPageURL: String?

    public init(
        reference: String, amount: Money, paid: Bool, paymentReference: String?, periodStart: Date, periodEnd: Date,
        paymentPageURL: String? = nil
    ) {
        self.paymentPageURL = paymentPageURL
        self.reference = reference
        self.amount = amount
        self.paid = paid
        self.paymentReference = paymentReference
        self.periodStart = periodStart
        self.periodEnd = periodEnd
    }
}

public struct ConnectorSubscriptionResult: Sendable, Equatable {
    public var reference: String
    public var status: ProviderSubscriptionStatus
    public var currentPeriodStart: Date?
    public var currentPeriodEnd: Date?
    public var cancelAtPeriodEnd: Bool
    /// The latest renewal the provider charged or tried to, when it says.
    public var latestRenewal: ProviderRenewal?
    /// True when the provider's message reported a renewal but not the subscription itself (Stripe's invoice
    /// webhooks): `status`, the period and `cancelAtPeriodEnd` are then inferred from the renewal, and
    /// `retrieveSubscription` tells the subscription's own state.
    public var stateIsInferred: Bool

    public init(
        reference: String, status: ProviderSubscriptionStatus, currentPeriodStart: Date?, currentPeriodEnd: Date?,
        cancelAtPeriodEnd: Bool, latestRenewal: ProviderRenewal?, stateIsInferred: Bool = false
    ) {
        self.stateIsInferred = stateIsInferred
        self.reference = reference
        self.status = status
        self.currentPeriodStart = currentPeriodStart
        self.currentPeriodEnd = currentPeriodEnd
        self.cancelAtPeriodEnd = cancelAtPeriodEnd
        self.latestRenewal = latestRenewal
    }
}
