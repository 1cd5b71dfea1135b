import PayHubDocuments

/// The renderers PayHub uses, by format. A format without one is answered 404 `format_unavailable`.
public enum InvoiceRenderers {
    /// What `PayHubContext` uses unless told otherwise. MERGE: the lead fills it with the real renderers, e.g.
    /// `[.pdf: PDFInvoiceRenderer(), .ubl: UBLInvoiceRenderer(), .fatturapa: FatturaPAInvoiceRenderer()]`.
    public static let standard: [InvoiceFormat: any InvoiceRenderer] = [:]
}
