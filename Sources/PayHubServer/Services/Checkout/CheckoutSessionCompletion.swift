import Foundation
import PayHubCore
import SQLKit

/// How a checkout session ends when its payment intent does: paid (succeeded, or authorised for a manual capture)
/// completes it, canceled expires it. `PaymentService.apply` calls it inside the transaction that changes the
/// intent, so whichever path changed the intent (an API attempt, a provider webhook, a status check, a sandbox
/// settlement, a cancellation), the session's change and its event commit with the intent's.
enum CheckoutSessionCompletion {
    static func intentChanged(
        _ payment: PaymentIntentAggregate, by transition: PaymentTransition, context: PayHubContext, on tx: any SQLDatabase
    ) async throws {
        let paid = transition.events.contains(.paymentIntentSucceeded) || transition.events.contains(.paymentIntentRequiresCapture)
        guard paid || transition.events.contains(.paymentIntentCanceled) else { return }
        // The intent's row lock, which `apply` holds, serialises every change to its session.
        guard let record = try await CheckoutSessionRepository().session(owning: payment.id, in: payment.scope, on: tx) else { return }
        let now = context.clock.now()
        // A session that ended already keeps its state (a manually captured payment voided later stays complete).
        guard let change = try? (paid ? CheckoutSessionMachine.complete(record.session, at: now) : CheckoutSessionMachine.expire(record.session, at: now))
        else { return }
        _ = try await save(change, of: record, context: context, on: tx)
    }

    /// Inside a transaction: saves a session's change and records its event.
    static func save(
        _ transition: CheckoutSessionTransition, of record: CheckoutSessionRecord, context: PayHubContext, on tx: any SQLDatabase
    ) async throws -> CheckoutSessionRecord {
        var record = record
        guard !transition.isNoOp else { return record }
        record.session = transition.session
        try await CheckoutSessionRepository().saveState(record, on: tx)
        try await EventRecorder(context: context).record(
            transition.events, object: Presenter.checkoutSession(record, publicBaseURL: context.config.publicBaseURL),
            objectID: record.id.rawValue, merchantID: record.scope.merchantID, livemode: record.scope.livemode, on: tx)
        if transition.events.contains(.checkoutSessionCompleted) {
            try await PaymentLinkCompletion.sessionCompleted(record, context: context, on: tx)
        }
        return record
    }
}
