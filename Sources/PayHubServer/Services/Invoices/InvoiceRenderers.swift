import PayHubDocuments

/// The renderers of finalised invoices and credit notes, one per format.
public enum InvoiceRenderers {
    /// What `PayHubContext` uses unless a test injects others: the PDF, UBL (Peppol BIS Billing 3.0) and FatturaPA.
    public static let standard: [InvoiceFormat: any InvoiceRenderer] = [
        .pdf: InvoicePDFRenderer(), .ubl: UBLInvoiceRenderer(), .fatturapa: FatturaPARenderer(),
    ]
}
