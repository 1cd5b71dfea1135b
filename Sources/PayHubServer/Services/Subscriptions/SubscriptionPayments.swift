import Foundation
import PayHubConnectors
import PayHubCore
import SQLKit

/// How a subscription follows its payments. `PaymentService.apply` calls it inside the transaction that changes
/// the intent, so whichever path changed the intent (an API attempt, the hosted checkout, the renewal job, a
/// provider webhook, a status check), the subscription's change and its events commit with the intent's.
///
/// Only the intents a subscription made count: the one of the period's row (the first payment's, a renewal's), or
/// those of the recovery pages its dunning sent the customer. A merchant's own intent that carries a
/// subscription's metadata changes nothing.
enum SubscriptionPayments {
    static func intentChanged(
        _ payment: PaymentIntentAggregate, by transition: PaymentTransition, savedMethod: SavedPaymentMethod?,
        payments: PaymentService, on tx: any SQLDatabase
    ) async throws {
        let succeeded = transition.events.contains(.paymentIntentSucceeded) || transition.events.contains(.paymentIntentRequiresCapture)
        let failed = transition.events.contains(.paymentIntentPaymentFailed)
        guard succeeded || failed, let tag = SubscriptionPaymentMetadata(payment.intent.metadata) else { return }
        let repository = SubscriptionRepository()
        guard let record = try await repository.lock(tag.subscriptionID, in: payment.scope, on: tx) else { return }
        let periodRow = try await repository.period(tag.period, of: record.id, in: record.scope, on: tx)
        let s = record.subscription
        guard s.openPeriod == tag.period else { return }
        if periodRow?.paymentIntentID != payment.id,
           try await !repository.isRecovery(payment.id, of: record.id, period: tag.period, in: record.scope, on: tx) { return }
        let attempt = transition.attempt.flatMap { payment.attempt($0.id) }

        if succeeded {
            let command: SubscriptionCommand = s.status == .incomplete ? .firstPaymentSucceeded : .renewalSucceeded
            // Automatic renewals need the method saved where the provider runs subscriptions; a first payment made
            // elsewhere (another provider named on the attempt) leaves the renewals to PayHub.
            let providerRuns = savedMethod != nil && attempt.flatMap { payments.context.connectors[$0.provider] }.map {
                $0.capabilities.providerSubscriptions && $0 is any SubscriptionConnector
            } == true
            let applied = try await SubscriptionChanges.apply(command, to: record, payments: payments, on: tx) { next, _ in
                if let savedMethod, let attempt {
                    next.savedMethod = savedMethod
                    next.savedMethodAccountID = attempt.providerAccountID
                }
                if command == .firstPaymentSucceeded && next.renewal == .automatic && !providerRuns { next.renewal = .manual }
                next.recoveryPaymentIntentID = nil
                next.recoveryURL = nil
            }
            if command == .firstPaymentSucceeded && applied.record.renewal == .automatic {
                try await ProviderSubscriptions.syncSoon(record.id, context: payments.context, on: tx)
            }
            return
        }
        if s.status == .incomplete {
            _ = try await SubscriptionChanges.apply(.firstPaymentFailed, to: record, payments: payments, on: tx)
            return
        }
        // Only the renewal job's own tries count for dunning; a customer's failed try on the recovery page does not.
        guard let number = SubscriptionPaymentMetadata.tryNumber(of: attempt?.idempotencyKey, record.id, period: tag.period) else { return }
        try await renewalTryFailed(record, try: number, payments: payments, on: tx)
    }

    /// A try of the open period failed: the renewal (try 0) puts the subscription `past_due` and starts dunning
    /// (a fresh recovery page each time, sent to the customer);
    /// retry n counts when it is the one dunning waited for (a stale duplicate of an earlier try does not).
    static func renewalTryFailed(_ record: SubscriptionRecord, try number: Int, payments: PaymentService, on tx: any SQLDatabase) async throws {
        let s = record.subscription
        let dunning = payments.context.config.dunning
        let expected = s.status == .pastDue ? record.dunning.retries + 1 : 0
        guard number == expected, s.status == .active || s.status == .pastDue, let period = s.openPeriod else { return }
        let (recoveryIntent, recoveryURL) = try await SubscriptionRecovery.open(for: record, period: period, payments: payments, on: tx)
        _ = try await SubscriptionChanges.apply(.renewalFailed, to: record, payments: payments, on: tx) { next, _ in
            next.recoveryPaymentIntentID = recoveryIntent
            next.recoveryURL = recoveryURL
            // Retries count from the renewal day (the period's start), so a catch-up after downtime runs the ones
            // already due at once, as they would have run.
            let failedAt = record.dunning.failedAt ?? s.currentPeriodStart
            let retries = number == 0 ? 0 : record.dunning.retries + 1
            next.dunning = SubscriptionDunning(
                failedAt: failedAt, retries: retries, nextRetryAt: dunning.nextRetry(after: failedAt, retriesDone: retries))
        }
    }
}
