import PayHubCore

/// An invoice (TD01) or credit note (TD04, with `DatiFattureCollegate`) as FatturaPA 1.2 between private parties
/// (FPR12), for Italian sellers only.
///
/// The transmission data come from the document: `IdTrasmittente` is the seller's VAT number, `ProgressivoInvio` is
/// derived from the number (`FatturaPACodes.transmissionNumber`), `CodiceDestinatario` is the buyer's recipient code,
/// `0000000` without one (with `PECDestinatario` when the buyer has a certified email), `XXXXXXX` for a buyer abroad.
/// A paid document carries `DatiPagamento` with the full amount (TP02). The note becomes `Causale` lines of at most 200
/// characters. A document the format cannot express is refused with the field at fault.
public struct FatturaPARenderer: InvoiceRenderer {
    public static let namespace = "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2"
    /// The SDI accepts a summary's VAT within one euro of its taxable amount × its rate.
    static let roundingToleranceHundredths: Int64 = 100

    public var format: InvoiceFormat { .fatturapa }

    public init() {}

    public func render(_ document: InvoiceDocument) throws(InvoiceExportRefused) -> [UInt8] {
        let content = try FatturaPAContent(document)
        var writer = XMLWriter()
        writer.element("p:FatturaElettronica", attributes: [
            "xmlns:p": Self.namespace, "xmlns:ds": "http://www.w3.org/2000/09/xmldsig#", "versione": "FPR12",
        ]) { writer in
            writer.element("FatturaElettronicaHeader") { writer in content.writeHeader(to: &writer) }
            writer.element("FatturaElettronicaBody") { writer in content.writeBody(to: &writer) }
        }
        return writer.bytes()
    }
}

/// A document checked against the FatturaPA 1.2.2 schema, with every value as it is written.
struct FatturaPAContent {
    struct Line {
        var description: String, quantity: String, unitPrice: String, total: String, rate: String, nature: String?
    }

    struct Summary {
        var rate: String, nature: String?, taxable: String, vat: String, reference: String?
    }

    let document: InvoiceDocument
    let seller: FatturaPAParty, buyer: FatturaPAParty
    /// The seller's partita IVA, without `IT`.
    let sellerVATNumber: String
    let fiscalRegime: String
    let recipientCode: String, certifiedEmail: String?
    let reasons: [String]
    let lines: [Line], summaries: [Summary]
    let total: String

    init(_ document: InvoiceDocument) throws(InvoiceExportRefused) {
        func refused(_ field: String, _ message: String) -> InvoiceExportRefused {
            InvoiceExportRefused(format: .fatturapa, field: field, message: message)
        }
        self.document = document
        guard let vatID = document.seller.vatID else { throw refused("seller.vat_id", "The seller's partita IVA is required (IdFiscaleIVA).") }
        guard vatID.hasPrefix("IT"), EInvoiceText.matches(String(vatID.dropFirst(2)), length: 11...11, EInvoiceText.isDigit) else {
            throw refused("seller.vat_id", "FatturaPA is for Italian sellers: a VAT number IT followed by 11 digits is required.")
        }
        sellerVATNumber = String(vatID.dropFirst(2))
        seller = try FatturaPAParty(document.seller, role: .seller)
        guard seller.country == "IT" else { throw refused("seller.address.country_code", "FatturaPA is for Italian sellers: the seller's seat is in IT.") }
        guard let regime = document.seller.fiscalRegime, FatturaPACodes.fiscalRegimes.contains(regime) else {
            throw refused("seller.fiscal_regime", "A tax regime RF01 to RF19 is required (RegimeFiscale).")
        }
        fiscalRegime = regime

        buyer = try FatturaPAParty(document.buyer, role: .buyer)
        if buyer.country == "IT", buyer.vatID == nil, buyer.taxCode == nil {
            throw refused("buyer.tax_code", "An Italian buyer without a VAT number is identified by a codice fiscale.")
        }
        if buyer.country != "IT" {
            recipientCode = "XXXXXXX"
        } else if let code = document.buyer.recipientCode {
            guard EInvoiceText.matches(code, length: 7...7, EInvoiceText.isUpperAlphanumeric) else {
                throw refused("buyer.recipient_code", "A recipient code between private parties is 7 capital letters or digits (CodiceDestinatario).")
            }
            recipientCode = code
        } else {
            recipientCode = "0000000"
        }
        if recipientCode == "0000000", let email = document.buyer.certifiedEmail {
            guard Self.isCertifiedEmail(email) else { throw refused("buyer.certified_email", "'\(email)' is not an email address (PECDestinatario).") }
            certifiedEmail = email
        } else {
            certifiedEmail = nil
        }

        guard Self.isDocumentNumber(document.number) else {
            throw refused("number", "A number of 1 to 20 ASCII characters is required (Numero).")
        }
        if document.kind == .creditNote {
            guard let credited = document.creditedInvoice else { throw refused("credited_invoice", "A credit note names the invoice it corrects (DatiFattureCollegate).") }
            guard Self.isDocumentNumber(credited.number) else {
                throw refused("credited_invoice.number", "A number of 1 to 20 ASCII characters is required (IdDocumento).")
            }
        }
        guard document.issueDate.year >= 1970 else { throw refused("issue_date", "FatturaPA dates start in 1970.") }
        reasons = try Self.reasons(document.note)

        let amounts = document.amounts
        let amount = EInvoiceAmount(currency: amounts.currency, format: .fatturapa)
        let breakdown = try VATBreakdown(amounts, format: .fatturapa)
        try breakdown.checkRounding(amount, toleranceHundredths: FatturaPARenderer.roundingToleranceHundredths)
        summaries = try breakdown.groups.map { group throws(InvoiceExportRefused) in
            let reference = try FatturaPAParty.latin1(group.exemptionReason, field: "amounts.lines.vat_rate.exemption_reason")
            return Summary(
                rate: Money.decimalString(group.basisPoints, exponent: 2), nature: FatturaPACodes.nature(group),
                taxable: try amount.twoDecimals(group.taxable), vat: try amount.twoDecimals(group.vat),
                reference: FatturaPACodes.nature(group) == nil ? nil : reference.map { EInvoiceText.truncated($0, to: 100) })
        }
        var lines: [Line] = []
        for (index, line) in amounts.lines.enumerated() {
            let field = "amounts.lines[\(index)].description"
            guard let description = try FatturaPAParty.latin1(line.item.description, field: field) else {
                throw refused(field, "A line needs a description (Descrizione).")
            }
            let group = breakdown.group(of: line.item.vatRate)
            lines.append(Line(
                description: EInvoiceText.truncated(description, to: 1000), quantity: "\(line.item.quantity).00",
                unitPrice: try Self.unitPrice(net: line.net, quantity: line.item.quantity, amount: amount), total: try amount.twoDecimals(line.net),
                rate: Money.decimalString(line.item.vatRate.basisPoints, exponent: 2), nature: FatturaPACodes.nature(group)))
        }
        self.lines = lines
        total = try amount.twoDecimals(amounts.gross)
    }

    /// The net unit price to 8 decimals, rounded half up, so that quantity × price is the line's net amount within
    /// 100,000 × 0.000000005 (the SDI checks `PrezzoTotale` to the cent). Trailing zeros past the second decimal go.
    static func unitPrice(net: Int64, quantity: Int64, amount: EInvoiceAmount) throws(InvoiceExportRefused) -> String {
        let hundredths = try amount.hundredths(net)  // ≤ 10^10: × 10^6 fits in Int64
        let scaled = (hundredths * 1_000_000 * 2 + quantity) / (quantity * 2)
        var text = Money.decimalString(scaled, exponent: 8)
        while text.hasSuffix("0"), text.split(separator: ".").last.map({ $0.count > 2 }) == true { text.removeLast() }
        return text
    }

    /// The note as `Causale` lines: each line of the note, cut into pieces of at most 200 characters.
    static func reasons(_ note: String?) throws(InvoiceExportRefused) -> [String] {
        guard let paragraph = EInvoiceText.paragraph(note) else { return [] }
        guard let latin = EInvoiceText.latin1(paragraph) else {
            throw InvoiceExportRefused(format: .fatturapa, field: "note", message: "The note has characters outside Latin-1 without a Latin-1 form.")
        }
        return latin.split(separator: "\n").flatMap { line -> [String] in
            var scalars = Substring(line).unicodeScalars[...]
            var pieces: [String] = []
            while !scalars.isEmpty {
                pieces.append(String(String.UnicodeScalarView(scalars.prefix(200))))
                scalars = scalars.dropFirst(200)
            }
            return pieces
        }
    }

    /// `String20Type`: 1 to 20 printable ASCII characters.
    static func isDocumentNumber(_ value: String) -> Bool {
        EInvoiceText.matches(value, length: 1...20) { $0.value >= 0x20 && $0.value < 0x7F }
    }

    static func isCertifiedEmail(_ value: String) -> Bool {
        let allowed = value.unicodeScalars.allSatisfy { EInvoiceText.isAlphanumeric($0) || "@._+-".unicodeScalars.contains($0) }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        return allowed && (7...256).contains(value.count) && parts.count == 2 && !parts[0].isEmpty
            && parts[1].split(separator: ".", omittingEmptySubsequences: false).count >= 2
            && parts[1].split(separator: ".", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty }
            && parts[0].split(separator: ".", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty }
    }

    func writeHeader(to writer: inout XMLWriter) {
        writer.element("DatiTrasmissione") { writer in
            writer.element("IdTrasmittente") { writer in
                writer.element("IdPaese", "IT")
                writer.element("IdCodice", sellerVATNumber)
            }
            writer.element("ProgressivoInvio", FatturaPACodes.transmissionNumber(document.number))
            writer.element("FormatoTrasmissione", "FPR12")
            writer.element("CodiceDestinatario", recipientCode)
            writer.element("PECDestinatario", ifPresent: certifiedEmail)
        }
        writer.element("CedentePrestatore") { writer in
            writer.element("DatiAnagrafici") { writer in
                if let identifier = seller.taxIdentifier { FatturaPAParty.write(identifier, to: &writer) }
                writer.element("CodiceFiscale", ifPresent: seller.taxCode)
                writer.element("Anagrafica") { writer in writer.element("Denominazione", seller.name) }
                writer.element("RegimeFiscale", fiscalRegime)
            }
            seller.writeAddress(to: &writer)
        }
        writer.element("CessionarioCommittente") { writer in
            writer.element("DatiAnagrafici") { writer in
                if let identifier = buyer.taxIdentifier { FatturaPAParty.write(identifier, to: &writer) }
                writer.element("CodiceFiscale", ifPresent: buyer.taxCode)
                writer.element("Anagrafica") { writer in writer.element("Denominazione", buyer.name) }
            }
            buyer.writeAddress(to: &writer)
        }
    }

    func writeBody(to writer: inout XMLWriter) {
        writer.element("DatiGenerali") { writer in
            writer.element("DatiGeneraliDocumento") { writer in
                writer.element("TipoDocumento", document.kind == .invoice ? "TD01" : "TD04")
                writer.element("Divisa", document.amounts.currency.code)
                writer.element("Data", document.issueDate.description)
                writer.element("Numero", document.number)
                writer.element("ImportoTotaleDocumento", total)
                for reason in reasons { writer.element("Causale", reason) }
            }
            if let credited = document.creditedInvoice, document.kind == .creditNote {
                writer.element("DatiFattureCollegate") { writer in
                    writer.element("IdDocumento", credited.number)
                    writer.element("Data", credited.issueDate.description)
                }
            }
        }
        writer.element("DatiBeniServizi") { writer in
            for (index, line) in lines.enumerated() {
                writer.element("DettaglioLinee") { writer in
                    writer.element("NumeroLinea", String(index + 1))
                    writer.element("Descrizione", line.description)
                    writer.element("Quantita", line.quantity)
                    writer.element("PrezzoUnitario", line.unitPrice)
                    writer.element("PrezzoTotale", line.total)
                    writer.element("AliquotaIVA", line.rate)
                    writer.element("Natura", ifPresent: line.nature)
                }
            }
            for summary in summaries {
                writer.element("DatiRiepilogo") { writer in
                    writer.element("AliquotaIVA", summary.rate)
                    writer.element("Natura", ifPresent: summary.nature)
                    writer.element("ImponibileImporto", summary.taxable)
                    writer.element("Imposta", summary.vat)
                    writer.element("EsigibilitaIVA", "I")
                    writer.element("RiferimentoNormativo", ifPresent: summary.reference)
                }
            }
        }
        if let payment = document.payment {
            writer.element("DatiPagamento") { writer in
                writer.element("CondizioniPagamento", "TP02")
                writer.element("DettaglioPagamento") { writer in
                    writer.element("ModalitaPagamento", FatturaPACodes.paymentMethod(payment.method))
                    writer.element("DataScadenzaPagamento", payment.date.description)
                    writer.element("ImportoPagamento", total)
                }
            }
        }
    }
}
