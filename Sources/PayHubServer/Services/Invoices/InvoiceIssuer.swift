import Fluent
import Foundation
import PayHubConnectors
import PayHubCore
import SQLKit

/// Issues the invoice of a succeeded payment intent and the credit note of a succeeded refund: composes the
/// document from what was paid and the settings in force (copied into it), then finalises it in one transaction:
/// the next number under the counter's lock, the invoice, `invoice.finalized` (`credit_note.finalized`) and the
/// job that renders its PDF. Issuing again returns the one already issued.
struct InvoiceIssuer: Sendable {
    let context: PayHubContext
    let db: any Database
    private var invoices: InvoiceRepository { InvoiceRepository() }
    private var reader: any SQLDatabase { context.transactor.reader(db) }

    /// Why nothing can be issued (yet): the job gives up on it, as retrying cannot help.
    struct NotIssuable: Error, CustomStringConvertible {
        var description: String
    }

    func invoice(for intentID: PaymentIntentID, in scope: TenantScope) async throws -> InvoiceRecord {
        if let issued = try await invoices.invoice(documenting: intentID.rawValue, in: scope, on: reader) { return issued }
        guard let payment = try await PaymentRepository().payment(intentID, in: scope, on: reader) else {
            throw NotIssuable(description: "payment intent \(intentID) does not exist")
        }
        let intent = payment.intent
        guard intent.intent.amountReceived > 0, let attempt = payment.activeAttempt else {
            throw NotIssuable(description: "payment intent \(intentID) has received nothing")
        }
        let settings = try await InvoiceSettingsService.current(in: scope, on: reader)
        let session = try await CheckoutSessionRepository().session(owning: intentID, in: scope, on: reader)
        let received = Money(minorUnits: intent.intent.amountReceived, currency: intent.intent.amount.currency)
        let items = Self.items(of: intent, session: session, received: received, defaultRate: settings.settings.defaultVATRate)
        let customer = intent.customer ?? session?.customer
        let zone = settings.settings.zone
        let paid = InvoicePayment(
            date: CalendarDate(attempt.attempt.updatedAt, in: zone), method: attempt.attempt.methodType,
            methodDisplay: Self.display(attempt.paymentMethod), transactionID: intentID.rawValue, provider: attempt.provider,
            providerReference: attempt.providerReference)
        let draft = Draft(
            kind: .invoice, id: (context.ids.make() as InvoiceID).rawValue, sourceIntent: intentID, refund: nil, credited: nil,
            buyer: Self.buyer(customer), customerEmail: customer?.email,
            locale: customer?.locale.flatMap(CustomerLocale.init(tag:)) ?? settings.settings.defaultLocale,
            items: items, currency: received.currency, payment: paid, creditedReference: nil)
        return try await finalise(draft, settings: settings)
    }

    func creditNote(for refundID: RefundID, in scope: TenantScope) async throws -> InvoiceRecord {
        if let issued = try await invoices.invoice(documenting: refundID.rawValue, in: scope, on: reader) { return issued }
        guard let refund = try await PaymentRepository().refund(refundID, in: scope, on: reader), refund.status == .succeeded else {
            throw NotIssuable(description: "refund \(refundID) has not succeeded")
        }
        let invoice = try await invoice(for: refund.paymentIntentID, in: scope)
        let settings = try await InvoiceSettingsService.current(in: scope, on: reader)
        let items: [InvoiceLineItem]
        do {
            items = try invoice.document.amounts.creditLines(for: refund.refund.amount.minorUnits) { $0.description }
        } catch {
            throw NotIssuable(description: "refund \(refundID): \(String(describing: error))")
        }
        let paid = invoice.document.payment
        let payment = InvoicePayment(
            date: CalendarDate(refund.refund.updatedAt, in: settings.settings.zone), method: paid?.method ?? "refund",
            methodDisplay: paid?.methodDisplay, transactionID: refundID.rawValue, provider: refund.provider,
            providerReference: refund.refund.providerReference)
        let draft = Draft(
            kind: .creditNote, id: (context.ids.make() as CreditNoteID).rawValue, sourceIntent: refund.paymentIntentID, refund: refundID,
            credited: try InvoiceID(parsing: invoice.id), buyer: invoice.document.buyer, customerEmail: invoice.customerEmail,
            locale: invoice.document.locale, items: items, currency: invoice.document.amounts.currency, payment: payment,
            creditedReference: InvoiceReference(number: invoice.number, issueDate: invoice.document.issueDate))
        return try await finalise(draft, settings: settings)
    }

    private struct Draft: Sendable {
        var kind: InvoiceDocument.Kind
        var id: String
        var sourceIntent: PaymentIntentID
        var refund: RefundID?
        var credited: InvoiceID?
        var buyer: InvoiceParty
        var customerEmail: String?
        var locale: CustomerLocale
        var items: [InvoiceLineItem]
        var currency: Currency
        var payment: InvoicePayment
        var creditedReference: InvoiceReference?
    }

    private func finalise(_ draft: Draft, settings: InvoiceSettingsRecord) async throws -> InvoiceRecord {
        let amounts: InvoiceAmounts
        do {
            amounts = try InvoiceAmounts.compute(draft.items, currency: draft.currency)
        } catch {
            throw NotIssuable(description: "\(draft.sourceIntent): \(String(describing: error))")
        }
        let now = context.clock.now()
        let issueDate = CalendarDate(now, in: settings.settings.zone)
        let (invoices, context) = (self.invoices, self.context)
        let scope = settings.scope
        return try await context.transactor.writeSQL(on: db) { tx in
            let source = draft.refund?.rawValue ?? draft.sourceIntent.rawValue
            try await invoices.lockCounter(draft.kind, year: issueDate.year, in: scope, on: tx)
            if let issued = try await invoices.invoice(documenting: source, in: scope, on: tx) { return issued }
            let sequence = try await invoices.nextSequence(draft.kind, year: issueDate.year, in: scope, on: tx)
            let number = InvoiceNumbering.number(
                prefix: InvoiceNumbering.prefix(for: draft.kind, in: settings.settings), year: issueDate.year, sequence: sequence)
            let document = InvoiceDocument(
                kind: draft.kind, number: number, issueDate: issueDate, seller: Self.seller(settings.settings), buyer: draft.buyer,
                amounts: amounts, payment: draft.payment, creditedInvoice: draft.creditedReference, locale: draft.locale,
                logo: settings.logo)
            let record = InvoiceRecord(
                id: draft.id, scope: scope, status: .finalized, sequence: sequence, paymentIntentID: draft.sourceIntent,
                refundID: draft.refund, creditedInvoiceID: draft.credited, customerEmail: draft.customerEmail, document: document,
                createdAt: now)
            try await invoices.insert(record, on: tx)
            try await EventRecorder(context: context).record(
                [draft.kind == .invoice ? .invoiceFinalized : .creditNoteFinalized],
                object: Presenter.invoice(record, publicBaseURL: context.config.publicBaseURL), objectID: record.id,
                merchantID: scope.merchantID, livemode: scope.livemode, on: tx)
            try await JobScheduler.enqueue(InvoiceRenderJob.job(invoice: record.id, format: .pdf, in: scope, at: now), context: context, on: tx)
            return record
        }
    }

    // MARK: - Composition

    /// The checkout session's line items, VAT on top at their own rates, when the session's total is what was
    /// received; else one line with the intent's description at the default rate, VAT included.
    static func items(of intent: PaymentIntentRecord, session: CheckoutSessionRecord?, received: Money, defaultRate: VATRate) -> [InvoiceLineItem] {
        if let session, session.session.totals.amountTotal == received.minorUnits, !session.session.totals.lines.isEmpty {
            return session.session.totals.lines.map { line in
                InvoiceLineItem(
                    description: String(line.item.name.prefix(InvoiceLineItem.maximumDescriptionLength)), quantity: line.item.quantity,
                    unitAmount: line.item.unitAmount, vatRate: rate(line.item.taxRate, default: defaultRate), amountIncludesVAT: false)
            }
        }
        let description = intent.description.flatMap { $0.contains(where: { !$0.isWhitespace }) ? $0 : nil } ?? "Payment \(intent.id.rawValue)"
        return [InvoiceLineItem(
            description: String(description.prefix(InvoiceLineItem.maximumDescriptionLength)), quantity: 1,
            unitAmount: received.minorUnits, vatRate: defaultRate, amountIncludesVAT: true)]
    }

    /// A checkout line's tax rate as a VAT rate: standard above 0; at 0 (or none) the default rate when it is a
    /// zero rate too (its category and exemption reason), else "outside the scope of VAT".
    static func rate(_ basisPoints: Int64?, default defaultRate: VATRate) -> VATRate {
        if let basisPoints, basisPoints > 0, let rate = try? VATRate(basisPoints: basisPoints, category: .standard) { return rate }
        if defaultRate.basisPoints == 0 { return defaultRate }
        return try! VATRate(basisPoints: 0, category: .outOfScope)
    }

    static func seller(_ settings: InvoiceSettings) -> InvoiceParty {
        InvoiceParty(
            name: settings.legalName, address: settings.address, vatID: settings.vatID, taxCode: settings.taxCode, email: settings.email,
            phone: settings.phone, electronicAddress: settings.electronicAddress, fiscalRegime: settings.fiscalRegime)
    }

    /// The customer as known from the intent (or its session); a customer without a name is named by its email.
    static func buyer(_ customer: CustomerDetails?) -> InvoiceParty {
        let name = [customer?.name, customer?.email, customer?.phone].compactMap { $0 }.first { $0.contains(where: { !$0.isWhitespace }) }
        // A tax id with a country prefix (IT01234567890) is a VAT id; a national code (a codice fiscale) is not.
        let vatID = customer?.taxID.flatMap { $0.prefix(2).allSatisfy(\.isLetter) && $0.dropFirst(2).allSatisfy(\.isNumber) ? $0.uppercased() : nil }
        return InvoiceParty(
            name: name ?? "—", address: customer?.address, vatID: vatID, taxCode: vatID == nil ? customer?.taxID?.uppercased() : nil,
            email: customer?.email, phone: customer?.phone)
    }

    /// What the customer recognises of the method: a mobile money number's last four digits with its network.
    static func display(_ method: PaymentMethodData) -> String? {
        guard let msisdn = method.msisdn, msisdn.count >= 4 else { return nil }
        let last = "•••• " + msisdn.suffix(4)
        return method.network.map { "\($0) \(last)" } ?? last
    }
}
