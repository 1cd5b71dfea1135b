import Foundation
import PayHubCore
import SQLKit

/// Where invoices start: `EventRecorder` calls this inside every transaction that records events, so the job
/// that issues the invoice of a succeeded payment intent (or the credit note of a succeeded refund) commits with
/// the success itself, whichever path recorded it (an API attempt, a provider webhook, a status check, a sandbox
/// settlement, a renewal). The job's unique key is the intent's (refund's) id, and the invoice's `source_id` is
/// unique: one invoice per intent, one credit note per refund.
enum InvoiceIssuance {
    static func eventsRecorded(
        _ types: [EventType], objectID: String, in scope: TenantScope, context: PayHubContext, on tx: any SQLDatabase
    ) async throws {
        let now = context.clock.now()
        if types.contains(.paymentIntentSucceeded), let intent = PaymentIntentID(validating: objectID) {
            try await JobScheduler.enqueue(InvoiceIssueJob.job(source: intent.rawValue, in: scope, at: now), context: context, on: tx)
        }
        if types.contains(.refundSucceeded), let refund = RefundID(validating: objectID) {
            try await JobScheduler.enqueue(InvoiceIssueJob.job(source: refund.rawValue, in: scope, at: now), context: context, on: tx)
        }
    }
}
