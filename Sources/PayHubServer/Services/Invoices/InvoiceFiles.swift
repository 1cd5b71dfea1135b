import Fluent
import Foundation
import PayHubCore
import PayHubDocuments
import PayHubMail
import SQLKit

/// The rendered documents of finalised invoices: each format rendered once, by `context.invoiceRenderers`, and
/// stored with its SHA-256; later requests get the stored bytes. The render job calls it after finalising (PDF),
/// and a request for a format not rendered yet calls it at once (the same path): the first stored rendering wins.
struct InvoiceFiles: Sendable {
    let context: PayHubContext
    let db: any Database

    /// The stored rendering, rendering it first when there is none. Throws `InvoiceExportRefused` when the format
    /// cannot express this document, and `format_unavailable` when no renderer is installed for it.
    func file(of record: InvoiceRecord, format: InvoiceFormat) async throws -> InvoiceFileRecord {
        let repository = InvoiceRepository()
        if let stored = try await repository.file(of: record.id, format: format.rawValue, in: record.scope, on: context.transactor.reader(db)) {
            return stored
        }
        guard let renderer = context.invoiceRenderers[format] else {
            throw ServiceError(
                kind: .notFound, code: "format_unavailable", message: "This PayHub renders no \(format.rawValue) documents.", param: "format")
        }
        let bytes = try renderer.render(record.document)
        let rendered = InvoiceFileRecord(
            id: context.ids.make(), invoiceID: record.id, format: format.rawValue, sha256: DocumentDigest.sha256(bytes), bytes: bytes)
        let now = context.clock.now()
        return try await context.transactor.writeSQL(on: db) { tx in
            try await repository.insertFile(rendered, in: record.scope, at: now, on: tx)
            return try await repository.file(of: record.id, format: format.rawValue, in: record.scope, on: tx) ?? rendered
        }
    }
}

extension InvoiceFiles {
    /// What an email attaches: the stored PDF of its invoice, if it is about one. A PDF the renderer refuses makes
    /// the message unsendable (a permanent failure), never one without its invoice.
    func attachments(for notification: NotificationRecord) async throws -> [MailAttachment] {
        guard let id = notification.invoiceID else { return [] }
        guard let record = try await InvoiceRepository().invoice(id, in: notification.scope, on: context.transactor.reader(db)) else {
            throw MailMessageError.invalidAttachment(id)
        }
        do {
            let pdf = try await file(of: record, format: .pdf)
            return [MailAttachment(filename: InvoiceFileName.of(record, format: .pdf), mediaType: InvoiceFormat.pdf.mediaType, bytes: pdf.bytes)]
        } catch is InvoiceExportRefused {
            throw MailMessageError.invalidAttachment(InvoiceFileName.of(record, format: .pdf))
        }
    }
}
