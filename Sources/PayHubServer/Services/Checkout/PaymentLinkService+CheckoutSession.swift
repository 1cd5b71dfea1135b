import Foundation
import PayHubConnectors
import PayHubCore
import SQLKit

extension PaymentLinkService {
    /// The customer-initiated flow (seed 000): on the checkout page the customer asks to pay later and gives an
    /// email address or phone number. PayHub makes a single-use link bound to THAT session (opening it resumes
    /// the same session, hence the same intent, which waits meanwhile; the link ends when the session does) and
    /// sends it. Asking again sends the same link again, to the recipient given.
    /// - Parameter locale: the language the page spoke, for the message when the customer named none.
    func createForCheckoutSession(
        _ sessionID: CheckoutSessionID, recipient: String, channel: PaymentLinkChannel, locale: CustomerLocale? = nil,
        in scope: TenantScope
    ) async throws -> PaymentLinkRecord {
        let (links, sessions, context) = (self.links, self.sessions, self.context)
        return try await context.transactor.writeSQL(on: db) { tx in
            // The session's lock serialises two requests for its link.
            guard let session = try await sessions.lock(sessionID, in: scope, on: tx) else {
                throw ServiceError.notFound("checkout_session", id: sessionID.rawValue)
            }
            let now = context.clock.now()
            switch session.session.status {
            case .complete: throw ServiceError.from(CheckoutRuleViolation.sessionComplete(sessionID))
            case .expired: throw ServiceError.from(CheckoutRuleViolation.sessionExpired(sessionID))
            case .open where !CheckoutSessionMachine.isPayable(session.session, at: now):
                throw ServiceError.from(CheckoutRuleViolation.sessionExpired(sessionID))
            case .open: break
            }
            var customer = try Self.customer(session.customer, recipient: recipient, via: channel)
            if customer.locale == nil {
                customer.locale = session.locale != "auto" ? session.locale : locale?.rawValue
            }
            if var existing = try await links.link(madeFor: sessionID, in: scope, on: tx) {
                guard PaymentLinkMachine.isPayable(existing.link, at: now) else {
                    throw ServiceError.from(PaymentLinkViolation.notActive(existing.id, existing.link.status == .active ? .expired : existing.link.status))
                }
                existing.customer = customer
                return try await PaymentLinkSending.send(existing, via: channel, context: context, on: tx)
            }
            let record = PaymentLinkRecord(
                link: PaymentLink(id: context.ids.make(), reusable: false, maxPayments: nil, expiresAt: session.session.expiresAt, createdAt: now),
                scope: scope, totals: session.session.totals, description: nil, customer: customer, successURL: session.successURL,
                userType: session.userType, channel: session.channel ?? .link, country: session.country, metadata: session.metadata,
                checkoutSessionID: sessionID, currentSessionID: sessionID, idempotencyKey: nil)
            try await links.insert(record, on: tx)
            try await links.attach(sessionID, to: record, at: now, on: tx)
            try await Self.recordEvents([.paymentLinkCreated], of: record, context: context, on: tx)
            try await JobScheduler.enqueue(PaymentLinkExpiryJob.job(link: record.id, at: record.link.expiresAt), context: context, on: tx)
            return try await PaymentLinkSending.send(record, via: channel, context: context, on: tx)
        }
    }

    /// The session's customer with the recipient the customer typed, checked as an intent's customer is.
    private static func customer(_ customer: CustomerDetails?, recipient: String, via channel: PaymentLinkChannel) throws -> CustomerDetails {
        var input = customer.map(CustomerObject.init) ?? CustomerObject()
        let trimmed = recipient.trimmingCharacters(in: .whitespaces)
        switch channel {
        case .email: input.email = trimmed
        case .sms: input.phone = trimmed
        }
        do {
            try InputRules.customer(input)
            _ = try NotificationOutbox.recipient(trimmed, channel: channel.notificationChannel)
        } catch var error as ServiceError {
            error.param = channel == .email ? "email" : "phone"
            throw error
        }
        return input.details
    }
}
