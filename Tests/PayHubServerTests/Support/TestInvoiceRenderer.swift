import Foundation
import PayHubCore
import PayHubDocuments

/// A small deterministic renderer for the invoice pipeline's tests: the real PDF, UBL and FatturaPA renderers have
/// their own tests. It writes what it was given, one field a line, and refuses FatturaPA without a seller VAT id
/// (as the real one must).
struct TestInvoiceRenderer: InvoiceRenderer {
    let format: InvoiceFormat

    static let all: [InvoiceFormat: any InvoiceRenderer] = Dictionary(
        uniqueKeysWithValues: InvoiceFormat.allCases.map { ($0, TestInvoiceRenderer(format: $0) as any InvoiceRenderer) })

    func render(_ document: InvoiceDocument) throws(InvoiceExportRefused) -> [UInt8] {
        if format == .fatturapa, document.seller.vatID == nil {
            throw InvoiceExportRefused(format: .fatturapa, field: "seller.vat_id", message: "FatturaPA needs the seller's VAT id.")
        }
        let lines = [
            format == .pdf ? "%PDF-1.7 test" : "<?xml version=\"1.0\"?><test/>",
            "kind \(document.kind.rawValue)", "number \(document.number)", "issued \(document.issueDate)",
            "seller \(document.seller.name)", "buyer \(document.buyer.name)", "total \(document.amounts.gross) \(document.amounts.currency.code)",
            "credits \(document.creditedInvoice?.number ?? "-")",
        ] + document.amounts.lines.map { "line \($0.item.description) \($0.net) \($0.vat) \($0.gross)" }
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }
}
