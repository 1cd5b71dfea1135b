import Foundation
import PayHubCore

/// Where an invoice stands. Invoices are finalised when they are written (the number and the document together):
/// no draft is stored, and nothing changes a finalised one.
enum InvoiceStatus: String, Sendable, Codable {
    case finalized
}

/// An invoice or a credit note as stored: its document as issued, and what the list filters on.
struct InvoiceRecord: Sendable, Equatable {
    /// `in_...` or `cn_...`.
    let id: String
    let scope: TenantScope
    let status: InvoiceStatus
    let sequence: Int64
    let paymentIntentID: PaymentIntentID
    let refundID: RefundID?
    let creditedInvoiceID: InvoiceID?
    let customerEmail: String?
    let document: InvoiceDocument
    let createdAt: Date

    var kind: InvoiceDocument.Kind { document.kind }
    var number: String { document.number }
    /// The PayHub transaction it documents: the payment intent, or the refund.
    var sourceID: String { refundID?.rawValue ?? paymentIntentID.rawValue }
}

/// A rendered document as stored: exactly the bytes served, with their SHA-256 (hex).
struct InvoiceFileRecord: Sendable, Equatable {
    let id: DocumentID
    let invoiceID: String
    let format: String
    let sha256: String
    let bytes: [UInt8]
}
