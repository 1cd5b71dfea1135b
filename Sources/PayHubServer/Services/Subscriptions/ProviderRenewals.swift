import FluentKit
import Foundation
import Logging
import PayHubConnectors
import PayHubCore
import SQLKit

/// Each renewal a provider charged, recorded once, as a payment intent of the subscription, so invoices, events
/// (`customer.subscription.renewed`) and the backoffice treat it as a manual renewal.
///
/// 1. In one transaction: the provider's word that the period ended starts PayHub's next period
///    (`SubscriptionMachine`'s `renewalDue`, at the period's end), which opens its payment intent and
///    `subscription_periods` row, and the provider's reference is noted in `subscription_provider_renewals`, whose
///    primary key refuses a second record of the same renewal.
/// 2. A paid renewal: the intent gets an attempt with the provider's payment, succeeded (`PaymentService`), and the
///    usual path follows (`SubscriptionPayments`: `renewalSucceeded`; `EventRecorder`: the invoice).
///    A failed one: the subscription is `past_due` (`renewalFailed`) and the customer is told, with the provider's
///    page to pay when it has one. The retries are the provider's: PayHub never charges an automatic subscription.
///
/// A crash between the steps is finished by the next report of the same renewal (a redelivered webhook, or the
/// job's read-back): step 1 finds the reference noted and step 2 runs again, idempotently.
struct ProviderRenewals: Sendable {
    let context: PayHubContext
    let db: any Database
    let logger: Logger

    var reader: any SQLDatabase { context.transactor.reader(db) }
    var payments: PaymentService { PaymentService(context: context, db: db, logger: logger) }

    /// The attempt key of a provider renewal's payment: one per renewal (and per retry of a lost attempt).
    static func attemptKey(_ id: SubscriptionID, renewal reference: String, retry: Int) -> String {
        "subscription_provider_renewal_\(id.rawValue)_\(reference)" + (retry == 0 ? "" : "_\(retry)")
    }

    func record(_ renewal: ProviderRenewal, of id: SubscriptionID, in scope: TenantScope, provider: ProviderSubscriptions.Provider) async throws {
        guard let period = try await notedPeriod(renewal, of: id, in: scope) else { return }
        if renewal.paid {
            try await recordPayment(renewal, of: id, period: period, provider: provider)
        } else {
            try await recordFailure(renewal, of: id, period: period.period, in: scope)
        }
    }

    /// Step 1: the period this renewal is, noted now if it is new. Nil when it cannot be one (the subscription
    /// ended, or another renewal of PayHub's is still open). Internal for the crash tests.
    func notedPeriod(_ renewal: ProviderRenewal, of id: SubscriptionID, in scope: TenantScope) async throws -> SubscriptionPeriodRecord? {
        let repository = SubscriptionRepository()
        if let known = try await repository.providerRenewal(renewal.reference, of: id, in: scope, on: reader) { return known }
        let payments = self.payments
        let logger = self.logger
        do {
            return try await context.transactor.writeSQL(on: db) { tx -> SubscriptionPeriodRecord? in
                guard let record = try await repository.lock(id, in: scope, on: tx) else { return nil }
                if let known = try await repository.providerRenewal(renewal.reference, of: id, in: scope, on: tx) { return known }
                let s = record.subscription
                guard renewal.amount.currency == s.amount.currency else {
                    logger.error("provider renewal in another currency not recorded", metadata: ["subscription": "\(id)", "renewal": "\(renewal.reference)"])
                    return nil
                }
                // The provider renewed: by its word the period ended, whatever PayHub's clock says. The period's
                // intent is for what the provider charged.
                let applied = try await SubscriptionChanges.apply(
                    .renewalDue, to: record, payments: payments, on: tx, at: max(payments.context.clock.now(), s.currentPeriodEnd)
                ) { next, _ in
                    next.subscription.amount = renewal.amount
                }
                guard let number = applied.transition.startedPeriod,
                      let period = try await repository.period(number, of: id, in: scope, on: tx) else { return nil }
                try await repository.insertProviderRenewal(
                    renewal.reference, of: id, period: number, intent: period.paymentIntentID, in: scope, at: payments.context.clock.now(), on: tx)
                return period
            }
        } catch let error as ServiceError where error.kind == .conflict || error.kind == .invalidInput {
            logger.warning(
                "provider renewal not recorded", metadata: ["subscription": "\(id)", "renewal": "\(renewal.reference)", "why": "\(error.code)"])
            return nil
        }
    }

    /// Step 2 of a paid renewal: the period's intent succeeds with the provider's payment, once.
    private func recordPayment(
        _ renewal: ProviderRenewal, of id: SubscriptionID, period: SubscriptionPeriodRecord, provider: ProviderSubscriptions.Provider
    ) async throws {
        let payment = try await payments.current(period.paymentIntentID, in: provider.account.scope)
        guard payment.intent.intent.status == .requiresPaymentMethod || payment.intent.intent.status == .processing else { return }
        let prefix = Self.attemptKey(id, renewal: renewal.reference, retry: 0)
        let ours = payment.attempts.filter { $0.idempotencyKey?.hasPrefix(prefix) ?? false }
        let attempt: PaymentAttemptRecord
        if let started = ours.last, !started.status.isFinal, payment.activeAttempt?.id == started.id {
            attempt = started
        } else {
            attempt = PaymentAttemptRecord(
                attempt: PaymentAttempt(
                    id: context.ids.make(), paymentIntentID: payment.id, provider: provider.connector.name, methodType: "card",
                    createdAt: context.clock.now()),
                scope: payment.scope, providerAccountID: provider.account.id, paymentMethod: PaymentMethodData(type: "card"), returnURL: nil,
                idempotencyKey: Self.attemptKey(id, renewal: renewal.reference, retry: ours.count), statusCheck: .first(nil),
                lateSuccessReversalReference: nil)
            do {
                try await payments.start(attempt)
            } catch let violation as PaymentRuleViolation {
                logger.info("provider renewal's attempt not started", metadata: ["subscription": "\(id)", "why": "\(violation.code)"])
                return
            }
        }
        try await payments.record(
            ConnectorPaymentResult(
                providerReference: renewal.paymentReference ?? renewal.reference, outcome: .succeeded,
                amounts: ProviderAmounts(received: renewal.amount.minorUnits)),
            for: attempt)
    }

    /// Step 2 of a failed renewal: `past_due`, and the customer is told once, with the provider's page to pay.
    private func recordFailure(_ renewal: ProviderRenewal, of id: SubscriptionID, period: Int, in scope: TenantScope) async throws {
        let payments = self.payments
        try await context.transactor.writeSQL(on: db) { tx in
            guard let record = try await SubscriptionRepository().lock(id, in: scope, on: tx),
                  record.subscription.status == .active, record.subscription.openPeriod == period else { return }
            _ = try await SubscriptionChanges.apply(.renewalFailed, to: record, payments: payments, on: tx) { next, _ in
                next.recoveryURL = renewal.paymentPageURL
            }
        }
    }
}
