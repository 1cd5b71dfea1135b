import PayHubCore

/// An invoice as a UBL 2.1 `Invoice` (type code 380), a credit note as a `CreditNote` (381, with a `BillingReference`
/// to the invoice it corrects), in the Peppol BIS Billing 3.0 profile of EN 16931.
///
/// A paid document carries its payment as `PaymentMeans` (UNCL 4461, see `UBLCodes.paymentMeans`) and
/// `PrepaidAmount` equal to the total, so that `PayableAmount` is 0 (BR-CO-16) and no due date is needed (BR-CO-25).
/// Amounts are written from minor units with the currency's decimals (JPY none), at most two (a three-decimal
/// currency only when an amount does not use the third). A document the profile cannot express is refused with
/// the field at fault.
public struct UBLInvoiceRenderer: InvoiceRenderer {
    public static let customizationID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
    public static let profileID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    /// BR-CO-17's tolerance as the Peppol validator applies it: 0.01 of the currency (tests widen it to show what
    /// the validator says of a document the renderer refuses).
    var roundingToleranceHundredths: Int64 = 1

    public var format: InvoiceFormat { .ubl }

    public init() {}

    public func render(_ document: InvoiceDocument) throws(InvoiceExportRefused) -> [UInt8] {
        let content = try UBLContent(document, roundingToleranceHundredths: roundingToleranceHundredths)
        let names = UBLDocumentNames(document.kind)
        var writer = XMLWriter()
        writer.element(names.root, attributes: [
            "xmlns": names.namespace,
            "xmlns:cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
            "xmlns:cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
        ]) { writer in
            content.writeHeader(names, to: &writer)
            content.writeTotals(to: &writer)
            content.writeLines(names, to: &writer)
        }
        return writer.bytes()
    }
}

/// The element names that differ between an invoice and a credit note.
struct UBLDocumentNames {
    let root: String, namespace: String, typeCode: String, typeCodeValue: String, line: String, quantity: String

    init(_ kind: InvoiceDocument.Kind) {
        switch kind {
        case .invoice:
            (root, typeCode, typeCodeValue, line, quantity) = ("Invoice", "cbc:InvoiceTypeCode", "380", "cac:InvoiceLine", "cbc:InvoicedQuantity")
        case .creditNote:
            (root, typeCode, typeCodeValue, line, quantity) = ("CreditNote", "cbc:CreditNoteTypeCode", "381", "cac:CreditNoteLine", "cbc:CreditedQuantity")
        }
        namespace = "urn:oasis:names:specification:ubl:schema:xsd:\(root)-2"
    }
}

/// A document checked against the profile, with every value as it is written.
struct UBLContent {
    struct Line {
        var quantity: Int64, net: String, name: String, category: VATBreakdown.Group
        /// The net price of `baseQuantity` units: one unit's when the net amount divides by the quantity, all of
        /// them otherwise, so that quantity × price / base quantity is the net amount exactly (PEPPOL-EN16931-R120).
        var price: String, baseQuantity: Int64?
    }

    struct Subtotal {
        var group: VATBreakdown.Group, taxable: String, vat: String
    }

    let document: InvoiceDocument
    let currency: String
    let seller: UBLParty, buyer: UBLParty
    let note: String?
    let subtotals: [Subtotal]
    let lines: [Line]
    let net: String, vat: String, gross: String, prepaid: String, payable: String

    init(_ document: InvoiceDocument, roundingToleranceHundredths: Int64) throws(InvoiceExportRefused) {
        func refused(_ field: String, _ message: String) -> InvoiceExportRefused {
            InvoiceExportRefused(format: .ubl, field: field, message: message)
        }
        self.document = document
        let amounts = document.amounts
        let amount = EInvoiceAmount(currency: amounts.currency, format: .ubl)
        currency = amounts.currency.code
        guard EInvoiceText.line(document.number) == document.number else { throw refused("number", "An invoice number without line breaks or control characters is required.") }
        if document.kind == .creditNote {
            guard let credited = document.creditedInvoice else { throw refused("credited_invoice", "A credit note names the invoice it corrects (BillingReference).") }
            guard EInvoiceText.line(credited.number) == credited.number else { throw refused("credited_invoice.number", "An invoice number without line breaks or control characters is required.") }
        }

        let breakdown = try VATBreakdown(amounts, format: .ubl)
        let outOfScope = breakdown.groups.contains { $0.category == .outOfScope }
        if outOfScope, breakdown.groups.count > 1 {
            throw refused("amounts.lines", "Lines outside the scope of VAT (category O) cannot share an invoice with other VAT categories (BR-O-11).")
        }
        try breakdown.checkRounding(amount, toleranceHundredths: roundingToleranceHundredths)

        // The seller's VAT identifier is required by every category but O, which forbids it (BR-S-02, BR-Z-02,
        // BR-E-02, BR-AE-02, BR-O-02); without it the seller is identified by its legal registration (BR-CO-26).
        if outOfScope {
            guard EInvoiceText.line(document.seller.taxCode) != nil else {
                throw refused("seller.tax_code", "Outside the scope of VAT the seller is identified by its legal registration identifier (BR-CO-26).")
            }
        } else if document.seller.vatID == nil {
            throw refused("seller.vat_id", "The seller's VAT identifier is required (BR-S-02, BR-E-02).")
        }
        if breakdown.groups.contains(where: { $0.category == .reverseCharge }), document.buyer.vatID == nil, EInvoiceText.line(document.buyer.taxCode) == nil {
            throw refused("buyer.vat_id", "Under reverse charge the buyer's VAT identifier or legal registration identifier is required (BR-AE-02).")
        }
        seller = try UBLParty(document.seller, role: .seller, writesVATIdentifier: !outOfScope)
        buyer = try UBLParty(document.buyer, role: .buyer, writesVATIdentifier: !outOfScope)
        note = EInvoiceText.paragraph(document.note)

        subtotals = try breakdown.groups.map { group throws(InvoiceExportRefused) in
            Subtotal(group: group, taxable: try amount.minimalDecimals(group.taxable), vat: try amount.minimalDecimals(group.vat))
        }
        var lines: [Line] = []
        for (index, line) in amounts.lines.enumerated() {
            guard let name = EInvoiceText.line(line.item.description) else {
                throw refused("amounts.lines[\(index)].description", "A line needs a description (BT-153).")
            }
            let group = breakdown.group(of: line.item.vatRate)
            let divides = line.net % line.item.quantity == 0
            lines.append(Line(
                quantity: line.item.quantity, net: try amount.minimalDecimals(line.net), name: name, category: group,
                price: amount.price(divides ? line.net / line.item.quantity : line.net), baseQuantity: divides ? nil : line.item.quantity))
        }
        self.lines = lines
        net = try amount.minimalDecimals(amounts.net)
        vat = try amount.minimalDecimals(amounts.vat)
        gross = try amount.minimalDecimals(amounts.gross)
        prepaid = try amount.minimalDecimals(document.payment == nil ? 0 : amounts.gross)
        payable = try amount.minimalDecimals(document.payment == nil ? amounts.gross : 0)
    }

    func writeHeader(_ names: UBLDocumentNames, to writer: inout XMLWriter) {
        writer.element("cbc:CustomizationID", UBLInvoiceRenderer.customizationID)
        writer.element("cbc:ProfileID", UBLInvoiceRenderer.profileID)
        writer.element("cbc:ID", document.number)
        writer.element("cbc:IssueDate", document.issueDate.description)
        writer.element(names.typeCode, names.typeCodeValue)
        writer.element("cbc:Note", ifPresent: note)
        writer.element("cbc:DocumentCurrencyCode", currency)
        // PEPPOL-EN16931-R003 asks for a buyer reference or an order reference: the payment the buyer made.
        writer.element("cbc:BuyerReference", EInvoiceText.line(document.payment?.transactionID) ?? document.number)
        if let credited = document.creditedInvoice, document.kind == .creditNote {
            writer.element("cac:BillingReference") { writer in
                writer.element("cac:InvoiceDocumentReference") { writer in
                    writer.element("cbc:ID", credited.number)
                    writer.element("cbc:IssueDate", credited.issueDate.description)
                }
            }
        }
        writer.element("cac:AccountingSupplierParty") { writer in seller.write(to: &writer) }
        writer.element("cac:AccountingCustomerParty") { writer in buyer.write(to: &writer) }
        if let payment = document.payment {
            writer.element("cac:PaymentMeans") { writer in
                let text = EInvoiceText.line(payment.methodDisplay) ?? EInvoiceText.line(payment.method)
                if let text {
                    writer.element("cbc:PaymentMeansCode", UBLCodes.paymentMeans(method: payment.method), attributes: ["name": text])
                } else {
                    writer.element("cbc:PaymentMeansCode", UBLCodes.paymentMeans(method: payment.method))
                }
                writer.element("cbc:PaymentID", ifPresent: EInvoiceText.line(payment.transactionID))
            }
        }
        writer.element("cac:PaymentTerms") { writer in
            writer.element("cbc:Note", UBLCodes.paymentTerms(document))
        }
    }

    func writeTotals(to writer: inout XMLWriter) {
        writer.element("cac:TaxTotal") { writer in
            writer.element("cbc:TaxAmount", vat, attributes: ["currencyID": self.currency])
            for subtotal in subtotals {
                writer.element("cac:TaxSubtotal") { writer in
                    writer.element("cbc:TaxableAmount", subtotal.taxable, attributes: ["currencyID": self.currency])
                    writer.element("cbc:TaxAmount", subtotal.vat, attributes: ["currencyID": self.currency])
                    writer.element("cac:TaxCategory") { writer in Self.writeCategory(subtotal.group, reasons: true, to: &writer) }
                }
            }
        }
        writer.element("cac:LegalMonetaryTotal") { writer in
            writer.element("cbc:LineExtensionAmount", net, attributes: ["currencyID": self.currency])
            writer.element("cbc:TaxExclusiveAmount", net, attributes: ["currencyID": self.currency])
            writer.element("cbc:TaxInclusiveAmount", gross, attributes: ["currencyID": self.currency])
            writer.element("cbc:PrepaidAmount", prepaid, attributes: ["currencyID": self.currency])
            writer.element("cbc:PayableAmount", payable, attributes: ["currencyID": self.currency])
        }
    }

    func writeLines(_ names: UBLDocumentNames, to writer: inout XMLWriter) {
        for (index, line) in lines.enumerated() {
            writer.element(names.line) { writer in
                writer.element("cbc:ID", String(index + 1))
                writer.element(names.quantity, String(line.quantity), attributes: ["unitCode": "C62"])
                writer.element("cbc:LineExtensionAmount", line.net, attributes: ["currencyID": currency])
                writer.element("cac:Item") { writer in
                    writer.element("cbc:Name", line.name)
                    writer.element("cac:ClassifiedTaxCategory") { writer in Self.writeCategory(line.category, reasons: false, to: &writer) }
                }
                writer.element("cac:Price") { writer in
                    writer.element("cbc:PriceAmount", line.price, attributes: ["currencyID": currency])
                    if let base = line.baseQuantity {
                        writer.element("cbc:BaseQuantity", String(base), attributes: ["unitCode": "C62"])
                    }
                }
            }
        }
    }

    /// A VAT category: its code, its rate (none outside the scope of VAT, BR-O-05 and BR-O-09) and, in the
    /// breakdown, the exemption reason of the categories that have one (BR-E-10, BR-AE-10, BR-O-10).
    static func writeCategory(_ group: VATBreakdown.Group, reasons: Bool, to writer: inout XMLWriter) {
        writer.element("cbc:ID", group.category.rawValue)
        if group.category != .outOfScope {
            writer.element("cbc:Percent", Money.decimalString(group.basisPoints, exponent: 2))
        }
        if reasons {
            writer.element("cbc:TaxExemptionReasonCode", ifPresent: UBLCodes.exemptionReasonCode(group))
            writer.element("cbc:TaxExemptionReason", ifPresent: group.exemptionReason)
        }
        writer.element("cac:TaxScheme") { writer in writer.element("cbc:ID", "VAT") }
    }
}
