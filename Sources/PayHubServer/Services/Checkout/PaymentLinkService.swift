import FluentKit
import Foundation
import Logging
import PayHubConnectors
import PayHubCore
import SQLKit

/// Payment links: an order the shop (or PayHub for it) sends its customer, which opens a checkout session when
/// the customer follows it (`PaymentLinkService+Opening`). Every change writes its event in its transaction; the
/// link records its payments when its sessions complete (`PaymentLinkCompletion`), and ends on time
/// (`PaymentLinkExpiryJob`). It speaks the domain: it returns records and throws `ServiceError`.
struct PaymentLinkService: Sendable {
    let context: PayHubContext
    let db: any Database
    let logger: Logger

    var reader: any SQLDatabase { context.transactor.reader(db) }
    var links: PaymentLinkRepository { PaymentLinkRepository() }
    var sessions: CheckoutSessionRepository { CheckoutSessionRepository() }
    var checkout: CheckoutSessionService { CheckoutSessionService(context: context, db: db, logger: logger) }
    var payments: PaymentService { PaymentService(context: context, db: db, logger: logger) }

    // MARK: - API

    func create(_ input: CreatePaymentLinkRequest, principal: Principal) async throws -> PaymentLinkRecord {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        let now = context.clock.now()
        let scope = principal.scope
        let totals = try checkout.order(input.order)
        let reusable = input.reusable ?? false
        let expiresAt: Date
        do {
            try PaymentLinkMachine.validate(reusable: reusable, maxPayments: input.maxPayments)
            expiresAt = try PaymentLinkExpiry.expiresAt(requested: input.expiresAt, now: now)
        } catch {
            throw ServiceError.from(error)
        }
        try InputRules.text(input.description, max: 1000, param: "description")
        try InputRules.customer(input.customer)
        try InputRules.url(input.successURL, param: "success_url")
        let attributes = try CheckoutInputRules.attributes(userType: input.userType, channel: input.channel, country: input.country)
        let customer = input.customer.map(\.details)
        let send = try Self.channel(input.send, param: "send")
        if let send { _ = try Self.recipient(of: customer, via: send) }

        if let key = RequestIdempotency.key, let existing = try await links.link(
            createdByIdempotencyKey: key, in: scope, since: now.addingTimeInterval(-IdempotencyService.lifetime), on: reader) {
            // A retry of a request that created this link but died before its response was stored.
            return existing
        }
        let record = PaymentLinkRecord(
            link: PaymentLink(id: context.ids.make(), reusable: reusable, maxPayments: input.maxPayments, expiresAt: expiresAt, createdAt: now),
            scope: scope, totals: totals, description: input.description, customer: customer, successURL: input.successURL,
            userType: attributes.userType, channel: attributes.channel ?? .link, country: attributes.country,
            metadata: input.metadata ?? [:], idempotencyKey: RequestIdempotency.key)
        let (links, context) = (self.links, self.context)
        return try await context.transactor.writeSQL(on: db) { tx in
            try await links.insert(record, on: tx)
            try await Self.recordEvents([.paymentLinkCreated], of: record, context: context, on: tx)
            try await JobScheduler.enqueue(PaymentLinkExpiryJob.job(link: record.id, at: expiresAt), context: context, on: tx)
            guard let send else { return record }
            return try await PaymentLinkSending.send(record, via: send, context: context, on: tx)
        }
    }

    func retrieve(_ id: String, principal: Principal) async throws -> PaymentLinkRecord {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        guard let linkID = PaymentLinkID(validating: id), let record = try await links.link(linkID, in: principal.scope, on: reader)
        else { throw ServiceError.notFound("payment_link", id: id) }
        return record
    }

    func list(principal: Principal, page: PageRequest) async throws -> RecordPage<PaymentLinkRecord> {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        let status = try InputRules.statusFilter(page, as: PaymentLinkStatus.self)
        return try await links.links(in: principal.scope, status: status, page: page, on: reader)
    }

    /// The shop ends the link: it can no longer be opened, and the sessions opened through it that are not paid
    /// yet are expired right after (`PaymentLinkExpiryJob`, due at once).
    func deactivate(_ id: String, principal: Principal) async throws -> PaymentLinkRecord {
        let found = try await retrieve(id, principal: principal)
        let (links, context) = (self.links, self.context)
        return try await context.transactor.writeSQL(on: db) { tx in
            guard var record = try await links.lock(found.id, in: found.scope, on: tx) else {
                throw ServiceError.notFound("payment_link", id: id)
            }
            let transition: PaymentLinkTransition
            do {
                transition = try PaymentLinkMachine.deactivate(record.link, at: context.clock.now())
            } catch let violation as PaymentLinkViolation {
                throw ServiceError.from(violation)
            }
            guard !transition.isNoOp else { return record }
            record.link = transition.link
            try await links.save(record, on: tx)
            try await Self.recordEvents(transition.events, of: record, context: context, on: tx)
            try await PaymentLinkExpiryJob.closeSessions(of: record, context: context, on: tx)
            return record
        }
    }

    /// Sends the link (again) to its customer, by `channel` or the way it was sent last (else email if the
    /// customer has an address, else SMS).
    func send(_ id: String, channel raw: String?, principal: Principal) async throws -> PaymentLinkRecord {
        let found = try await retrieve(id, principal: principal)
        let requested = try Self.channel(raw, param: "channel")
        let (links, context) = (self.links, self.context)
        return try await context.transactor.writeSQL(on: db) { tx in
            guard let record = try await links.lock(found.id, in: found.scope, on: tx) else {
                throw ServiceError.notFound("payment_link", id: id)
            }
            guard PaymentLinkMachine.isPayable(record.link, at: context.clock.now()) else {
                throw ServiceError.from(PaymentLinkViolation.notActive(record.id, record.link.status == .active ? .expired : record.link.status))
            }
            let channel = try requested ?? record.sentVia ?? Self.defaultChannel(for: record.customer)
            _ = try Self.recipient(of: record.customer, via: channel)
            return try await PaymentLinkSending.send(record, via: channel, context: context, on: tx)
        }
    }

    // MARK: - Events and input

    /// Inside a transaction: records the link's events with the link as it now stands.
    static func recordEvents(_ types: [EventType], of record: PaymentLinkRecord, context: PayHubContext, on tx: any SQLDatabase) async throws {
        try await EventRecorder(context: context).record(
            types, object: Presenter.paymentLink(record, publicBaseURL: context.config.publicBaseURL), objectID: record.id.rawValue,
            merchantID: record.scope.merchantID, livemode: record.scope.livemode, on: tx)
    }

    static func channel(_ raw: String?, param: String) throws -> PaymentLinkChannel? {
        guard let raw else { return nil }
        guard let channel = PaymentLinkChannel(rawValue: raw) else {
            throw ServiceError.invalid("parameter_invalid", "\(param) must be email or sms.", param: param)
        }
        return channel
    }

    /// Where a sending by `channel` goes: the customer's email address, or phone number in international form,
    /// which must be known.
    static func recipient(of customer: CustomerDetails?, via channel: PaymentLinkChannel) throws -> String {
        let field = channel == .email ? "customer.email" : "customer.phone"
        guard let recipient = channel == .email ? customer?.email : customer?.phone else {
            throw ServiceError.invalid("parameter_missing", "Sending by \(channel == .email ? "email" : "SMS") needs \(field).", param: field)
        }
        do {
            return try NotificationOutbox.recipient(recipient, channel: channel.notificationChannel)
        } catch var error as ServiceError {
            error.param = field
            throw error
        }
    }

    static func defaultChannel(for customer: CustomerDetails?) throws -> PaymentLinkChannel {
        if customer?.email != nil { return .email }
        if customer?.phone != nil { return .sms }
        throw ServiceError.invalid(
            "parameter_missing", "The link's customer has no email address or phone number to send it to.", param: "channel")
    }
}

extension ServiceError {
    static func from(_ violation: PaymentLinkViolation) -> ServiceError {
        violation.isInvalidInput
            ? invalid(violation.code, violation.description, param: violation.param)
            : conflict(violation.code, violation.description)
    }
}
