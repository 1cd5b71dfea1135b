import Foundation
import PayHubCore
import SQLKit

/// How a payment link learns it was paid: when a checkout session opened through it completes,
/// `CheckoutSessionCompletion.save` calls this inside the transaction that completes the session (and changes its
/// intent), so the link's payment, its status and `payment_link.paid` commit with them.
enum PaymentLinkCompletion {
    static func sessionCompleted(_ session: CheckoutSessionRecord, context: PayHubContext, on tx: any SQLDatabase) async throws {
        let links = PaymentLinkRepository()
        guard let linkID = try await links.linkID(of: session.id, in: session.scope, on: tx),
              var record = try await links.lock(linkID, in: session.scope, on: tx)
        else { return }
        let transition = PaymentLinkMachine.recordPayment(record.link, at: context.clock.now())
        let closed = record.link.status == .active && transition.link.status == .completed
        record.link = transition.link
        try await links.save(record, on: tx)
        try await PaymentLinkService.recordEvents(transition.events, of: record, context: context, on: tx)
        // A reusable link that has all its payments: the sessions still open through it are expired.
        if closed && record.link.reusable { try await PaymentLinkExpiryJob.closeSessions(of: record, context: context, on: tx) }
    }
}
