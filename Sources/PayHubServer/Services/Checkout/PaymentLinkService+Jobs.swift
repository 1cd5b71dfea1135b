import Foundation
import PayHubCore
import SQLKit

extension PaymentLinkService {
    /// What the expiry job should do next with a link.
    enum ExpiryRun: Equatable {
        case done
        case checkAgain(at: Date)
    }

    /// The expiry job's run: expires an active link once its time is up (`payment_link.expired`); then, the link
    /// having ended, expires the sessions opened through it that are still open (not the shop's own session that
    /// a link was made for). A session whose payment is processing is waited for.
    func expireOnTime(_ id: PaymentLinkID) async throws -> ExpiryRun {
        guard let found = try await links.link(id, for: .paymentLink, on: reader) else { return .done }
        var record = found
        let now = context.clock.now()
        if record.link.status == .active {
            guard now >= record.link.expiresAt else { return .checkAgain(at: record.link.expiresAt) }
            let (links, context) = (self.links, self.context)
            record = try await context.transactor.writeSQL(on: db) { tx in
                guard var locked = try await links.lock(id, in: found.scope, on: tx) else { return found }
                let transition = PaymentLinkMachine.expire(locked.link, at: now)
                guard !transition.isNoOp else { return locked }
                locked.link = transition.link
                try await links.save(locked, on: tx)
                try await Self.recordEvents(transition.events, of: locked, context: context, on: tx)
                return locked
            }
        }
        guard record.link.status.isFinal else { return .checkAgain(at: record.link.expiresAt) }
        var processing = false
        for sessionID in try await links.sessionIDs(of: record, on: reader) where sessionID != record.checkoutSessionID {
            guard let session = try await sessions.session(sessionID, in: record.scope, on: reader), session.session.status == .open else {
                continue
            }
            do {
                _ = try await checkout.expire(sessionID, in: record.scope)
            } catch let error as ServiceError where error.code == CheckoutSessionService.paymentProcessing.code {
                processing = true
            } catch let error as ServiceError where error.code == CheckoutRuleViolation.sessionComplete(sessionID).code {
                continue
            }
        }
        return processing ? .checkAgain(at: now.addingTimeInterval(CheckoutSessionService.processingRecheck)) : .done
    }

    /// The reminder job's run: sends the link once more, the way it was last sent, if it is still waiting for its
    /// first payment and has not been reminded.
    func remind(_ id: PaymentLinkID) async throws {
        guard let found = try await links.link(id, for: .paymentLink, on: reader) else { return }
        let (links, context) = (self.links, self.context)
        try await context.transactor.writeSQL(on: db) { tx in
            guard let record = try await links.lock(id, in: found.scope, on: tx), let channel = record.sentVia,
                  Self.needsReminder(record, at: context.clock.now())
            else { return }
            _ = try await PaymentLinkSending.remind(record, via: channel, context: context, on: tx)
        }
    }

    static func needsReminder(_ record: PaymentLinkRecord, at now: Date) -> Bool {
        PaymentLinkMachine.isPayable(record.link, at: now) && record.link.paymentsCount == 0 && record.reminderSentAt == nil
    }
}
