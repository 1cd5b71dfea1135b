import Foundation
import PayHubConnectors
import PayHubCore
import SQLKit

/// Why a link's page shows no checkout.
enum PaymentLinkClosure: String, Sendable, Equatable {
    case paid
    case expired
    case deactivated
}

/// What following a link leads to.
enum PaymentLinkOpening: Sendable, Equatable {
    /// The checkout session to pay on, started or resumed for this visit.
    case checkout(CheckoutSessionID, link: PaymentLinkRecord, session: CheckoutSessionRecord)
    /// The link can no longer be paid.
    case closed(PaymentLinkRecord, PaymentLinkClosure)
}

extension PaymentLinkService {
    /// The customer follows the link: the first opening is recorded (`payment_link.opened`), then a checkout
    /// session is started or resumed. A single-use link has one session at a time, chosen under the link's lock,
    /// so customers opening it at once all pay the same session, hence the same intent (which is paid once); a
    /// new one replaces it only after it has expired. A reusable link starts a session per payment, resuming the
    /// visitor's own (`visitorSession`, from its cookie) while that is open.
    func open(_ rawID: String, visitorSession: String?) async throws -> PaymentLinkOpening {
        guard let id = PaymentLinkID(validating: rawID), let found = try await links.link(id, for: .paymentLink, on: reader) else {
            throw ServiceError.notFound("payment_link", id: rawID)
        }
        let visitor = visitorSession.flatMap(CheckoutSessionID.init(validating:))
        // A stale session (its time is up, its expiry job has not run yet) is expired first, outside the link's lock;
        // then the link is looked at again. Twice is enough: a new session is open for a day.
        for _ in 0..<3 {
            switch try await openLocked(found, visitor: visitor) {
            case .done(let opening):
                return opening
            case .stale(let sessionID):
                _ = try await checkout.expireOnTime(sessionID)
                guard let session = try await sessions.session(sessionID, in: found.scope, on: reader) else { continue }
                // Still open: its payment is processing. The customer sees it on the session's page.
                if session.session.status == .open, let link = try await links.link(id, in: found.scope, on: reader) {
                    return .checkout(sessionID, link: link, session: session)
                }
            }
        }
        throw ServiceError.conflict("payment_link_busy", "The payment link is being paid right now: open it again in a moment.")
    }

    private enum LockedStep: Sendable {
        case done(PaymentLinkOpening)
        case stale(CheckoutSessionID)
    }

    private func openLocked(_ found: PaymentLinkRecord, visitor: CheckoutSessionID?) async throws -> LockedStep {
        let (links, sessions, context) = (self.links, self.sessions, self.context)
        let service = self
        return try await context.transactor.writeSQL(on: db) { tx in
            guard var record = try await links.lock(found.id, in: found.scope, on: tx) else {
                throw ServiceError.notFound("payment_link", id: found.id.rawValue)
            }
            let now = context.clock.now()
            if let closure = Self.closure(of: record.link, at: now) { return .done(.closed(record, closure)) }
            let opened = PaymentLinkMachine.open(record.link, at: now)
            record.link = opened.link

            var resumed: CheckoutSessionRecord?
            if !record.link.reusable, let current = record.currentSessionID,
               let session = try await sessions.session(current, in: record.scope, on: tx) {
                switch session.session.status {
                case .open where CheckoutSessionMachine.isPayable(session.session, at: now): resumed = session
                case .open: return .stale(current)
                // Its completion completed the link in the same transaction; this is a payment recorded late.
                case .complete: return .done(.closed(record, .paid))
                // The shop's own session ended: so did the link made for it.
                case .expired where record.checkoutSessionID == current: return .done(.closed(record, .expired))
                case .expired: break
                }
            } else if record.link.reusable, let visitor, try await links.linkID(of: visitor, in: record.scope, on: tx) == record.id,
                      let session = try await sessions.session(visitor, in: record.scope, on: tx),
                      CheckoutSessionMachine.isPayable(session.session, at: now) {
                resumed = session
            }
            let session: CheckoutSessionRecord
            if let resumed {
                session = resumed
            } else {
                session = try await service.startSession(for: record, at: now, on: tx)
                if !record.link.reusable { record.currentSessionID = session.id }
            }
            if !opened.isNoOp || resumed == nil {
                record.link.updatedAt = now
                try await links.save(record, on: tx)
            }
            try await Self.recordEvents(opened.events, of: record, context: context, on: tx)
            return .done(.checkout(session.id, link: record, session: session))
        }
    }

    /// Why a link cannot be paid now, if it cannot: an active link whose time is up is expired already for its
    /// customer, even before its expiry job has run.
    static func closure(of link: PaymentLink, at now: Date) -> PaymentLinkClosure? {
        switch link.status {
        case .completed: return .paid
        case .deactivated: return .deactivated
        case .expired: return .expired
        case .active: return now < link.expiresAt ? nil : .expired
        }
    }

    /// Inside the link's transaction: a new checkout session for the link's order, with its own intent and expiry
    /// job, as `CheckoutSessionService.create` makes them. It lasts a session's usual day, or until the link ends.
    func startSession(for record: PaymentLinkRecord, at now: Date, on tx: any SQLDatabase) async throws -> CheckoutSessionRecord {
        let customer = record.customer.map(CustomerObject.init)
        let intent = try payments.newIntent(
            CreatePaymentIntentRequest(
                amount: record.totals.amountTotal, currency: record.totals.currency.code, captureMethod: nil, customerReference: nil,
                purchaseReference: nil, description: record.description, metadata: record.metadata, customer: customer),
            in: record.scope, idempotencyKey: nil, at: now)
        let expiresAt = min(now.addingTimeInterval(CheckoutExpiry.defaultLifetime), record.link.expiresAt)
        let session = CheckoutSessionRecord(
            session: CheckoutSession(id: context.ids.make(), paymentIntentID: intent.id, totals: record.totals, expiresAt: expiresAt, createdAt: now),
            scope: record.scope, customer: intent.customer, customerReference: nil, purchaseReference: nil, successURL: record.successURL,
            cancelURL: nil, locale: record.customer?.locale ?? "auto", userType: record.userType, channel: record.channel,
            country: record.country, metadata: record.metadata, idempotencyKey: nil)
        try await payments.insert(created: intent, data: JSONText.encode(Presenter.paymentIntent(PaymentIntentAggregate(intent: intent, attempts: []))), on: tx)
        try await sessions.insert(session, on: tx)
        try await JobScheduler.enqueue(CheckoutSessionExpiryJob.job(session: session.id, at: expiresAt), context: context, on: tx)
        try await links.attach(session.id, to: record, at: now, on: tx)
        return session
    }
}
