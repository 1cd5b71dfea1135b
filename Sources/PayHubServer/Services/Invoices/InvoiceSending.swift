import Fluent
import Foundation
import PayHubCore
import SQLKit

/// `POST /v1/invoices/{id}/send`: the `invoice` email, in the invoice's language, to its buyer (or the recipient
/// given), through the notification outbox; the send job attaches the stored PDF when it sends it.
struct InvoiceSending: Sendable {
    let context: PayHubContext
    let db: any Database

    func send(_ id: String, recipient: String?, principal: Principal) async throws -> NotificationRecord {
        let invoice = try await InvoiceService(context: context, db: db).retrieve(id, kind: .invoice, principal: principal)
        try InvoiceService.requirePDF(context)
        guard let address = recipient ?? invoice.document.buyer.email else {
            throw ServiceError.conflict("customer_contact_missing", "The invoice's buyer has no email address: give a recipient.")
        }
        let to = try NotificationOutbox.recipient(address, channel: .email)
        let scope = principal.scope
        let reader = context.transactor.reader(db)
        let key = RequestIdempotency.key
        if let key, let existing = try await NotificationRepository().notification(
            createdByIdempotencyKey: key, in: scope, since: context.clock.now().addingTimeInterval(-IdempotencyService.lifetime), on: reader) {
            // A retry of a request that enqueued this email but died before its response was stored.
            return existing
        }
        let document = invoice.document
        let locale = document.locale
        var variables = [
            "amount": LocalizedMoney.format(Money(minorUnits: document.amounts.gross, currency: document.amounts.currency), in: locale),
            "payment_intent": invoice.paymentIntentID.rawValue, "invoice_number": document.number,
            "issue_date": document.issueDate.description, "merchant_name": document.seller.name,
        ]
        if document.buyer.email != nil || document.buyer.phone != nil, document.buyer.name != document.buyer.email, document.buyer.name != "—" {
            variables["customer_name"] = document.buyer.name
        }
        let request = NotificationRequest(
            event: .invoice, channel: .email, recipient: to, locale: locale, variables: variables, paymentIntentID: invoice.paymentIntentID,
            invoiceID: invoice.id)
        let outbox = NotificationOutbox(context: context)
        return try await context.transactor.writeSQL(on: db) { tx in
            try await outbox.enqueue(request, in: scope, idempotencyKey: key, on: tx)
        }
    }
}

/// `POST /v1/invoices/{id}/send`.
struct SendInvoiceRequest: StrictRequest {
    /// An email address instead of the buyer's.
    var recipient: String?

    static let shape: [String: FieldShape] = ["recipient": .value]
}
