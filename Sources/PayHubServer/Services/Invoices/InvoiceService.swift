import Fluent
import Foundation
import PayHubCore
import PayHubDocuments
import SQLKit

/// Reading invoices and credit notes: one, a page, a rendering, many as a zip. Secret key only; another
/// merchant's (or mode's) invoice is missing.
struct InvoiceService: Sendable {
    let context: PayHubContext
    let db: any Database
    private var invoices: InvoiceRepository { InvoiceRepository() }
    private var reader: any SQLDatabase { context.transactor.reader(db) }

    func retrieve(_ id: String, kind: InvoiceDocument.Kind, principal: Principal) async throws -> InvoiceRecord {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        guard let record = try await invoices.invoice(id, in: principal.scope, on: reader), record.kind == kind else {
            throw ServiceError.notFound(kind == .invoice ? "invoice" : "credit_note", id: id)
        }
        return record
    }

    func list(_ kind: InvoiceDocument.Kind, principal: Principal, page: PageRequest) async throws -> RecordPage<InvoiceRecord> {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        for (name, limit) in [("payment_intent", 64), ("customer_email", 254), ("number", 64)] {
            guard let value = page.filters[name] else { continue }
            guard !value.isEmpty, value.count <= limit else {
                throw ServiceError.invalid("parameter_invalid", "\(name) has 1 to \(limit) characters.", param: name)
            }
        }
        var filter = InvoiceFilter()
        filter.paymentIntent = page.filters["payment_intent"]
        filter.customerEmail = page.filters["customer_email"]
        filter.number = page.filters["number"]
        filter.issueDateFrom = try page.filters["issue_date[gte]"].map { try Self.date($0, param: "issue_date[gte]") }
        filter.issueDateTo = try page.filters["issue_date[lte]"].map { try Self.date($0, param: "issue_date[lte]") }
        return try await invoices.invoices(kind, matching: filter, in: principal.scope, page: page, on: reader)
    }

    /// The stored rendering of one invoice in one format (rendered now if it was not yet).
    func file(_ id: String, kind: InvoiceDocument.Kind, format: InvoiceFormat, principal: Principal) async throws -> (InvoiceRecord, InvoiceFileRecord) {
        let record = try await retrieve(id, kind: kind, principal: principal)
        return (record, try await InvoiceFiles(context: context, db: db).file(of: record, format: format))
    }

    /// Refuses at once what needs a PDF when this PayHub has no PDF renderer.
    static func requirePDF(_ context: PayHubContext) throws {
        guard context.invoiceRenderers[.pdf] != nil else {
            throw ServiceError(kind: .notFound, code: "format_unavailable", message: "This PayHub renders no pdf documents.", param: "format")
        }
    }

    /// `YYYY-MM-DD`, a real day.
    static func date(_ raw: String, param: String) throws -> CalendarDate {
        let parts = raw.split(separator: "-", omittingEmptySubsequences: false)
        guard raw.count == 10, parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              parts[0].count == 4, (1...12).contains(month), (1...31).contains(day)
        else { throw ServiceError.invalid("parameter_invalid", "\(param) must be a date, YYYY-MM-DD.", param: param) }
        var components = DateComponents(year: year, month: month, day: day)
        components.calendar = Calendar(identifier: .gregorian)
        components.timeZone = TimeZone(identifier: "UTC")
        guard components.isValidDate else { throw ServiceError.invalid("parameter_invalid", "\(param) is not a day of the calendar.", param: param) }
        return CalendarDate(year: year, month: month, day: day)
    }
}
