import Foundation
import PayHubCore

/// Every word the PDF prints that is not the document's own data, in the five languages: the one table of them.
struct InvoiceLabels: Sendable {
    var invoice: String
    var creditNote: String
    var number: String
    var issueDate: String
    var creditedInvoice: String
    var billTo: String
    var vatID: String
    var taxCode: String
    var payment: String
    var refund: String
    var paymentDate: String
    var refundDate: String
    var method: String
    var transaction: String
    var provider: String
    var providerReference: String
    var description: String
    var quantity: String
    var unitPrice: String
    var vatRate: String
    var net: String
    var vat: String
    var total: String
    var vatSummary: String
    var taxable: String
    var netTotal: String
    var vatTotal: String
    var grandTotal: String
    var creditTotal: String
    var unitPriceIncludesVAT: String
    var note: String
    var continued: String
    /// "Page {page} of {pages}".
    var page: String
    var categories: [VATRate.Category: String]
    var colon = ":"
    var methods: [String: String]

    /// "VAT ID: IT0123…", with French's no-break space before the colon.
    func labelled(_ label: String, _ value: String) -> String { "\(label)\(colon) \(value)" }

    func page(_ page: Int, of pages: Int) -> String {
        var result = ""
        var rest = self.page[...]
        while let brace = rest.firstIndex(of: "{") {
            result += rest[..<brace]
            rest = rest[brace...]
            if rest.hasPrefix("{pages}") {
                result += String(pages)
                rest = rest.dropFirst(7)
            } else if rest.hasPrefix("{page}") {
                result += String(page)
                rest = rest.dropFirst(6)
            } else {
                result += "{"
                rest = rest.dropFirst()
            }
        }
        return result + rest
    }

    /// A method type as the customer reads it: known ones translated, others as their code.
    func method(_ type: String) -> String { methods[type] ?? type.replacing("_", with: " ") }

    static func of(_ locale: CustomerLocale) -> InvoiceLabels {
        switch locale {
        case .en: english
        case .it: italian
        case .fr: french
        case .de: german
        case .es: spanish
        }
    }

    static let english = InvoiceLabels(
        invoice: "Invoice", creditNote: "Credit note", number: "No.", issueDate: "Issue date", creditedInvoice: "Corrects invoice",
        billTo: "Bill to", vatID: "VAT ID", taxCode: "Tax code", payment: "Payment", refund: "Refund", paymentDate: "Paid on",
        refundDate: "Refunded on", method: "Method", transaction: "Transaction", provider: "Provider", providerReference: "Provider reference",
        description: "Description", quantity: "Qty", unitPrice: "Unit price", vatRate: "VAT %", net: "Net", vat: "VAT", total: "Total",
        vatSummary: "VAT summary", taxable: "Taxable amount", netTotal: "Total net", vatTotal: "Total VAT", grandTotal: "Total",
        creditTotal: "Total credited", unitPriceIncludesVAT: "* Unit price includes VAT", note: "Note", continued: "continued",
        page: "Page {page} of {pages}",
        categories: [.standard: "Standard rate", .zeroRated: "Zero-rated", .exempt: "Exempt", .reverseCharge: "Reverse charge", .outOfScope: "Not subject to VAT"],
        methods: ["card": "Card", "mobile_money": "Mobile money", "bank_transfer": "Bank transfer", "bank_redirect": "Online banking", "wallet": "Wallet", "sepa_debit": "SEPA Direct Debit"]
    )

    static let italian = InvoiceLabels(
        invoice: "Fattura", creditNote: "Nota di credito", number: "N.", issueDate: "Data di emissione", creditedInvoice: "Rettifica la fattura",
        billTo: "Intestata a", vatID: "Partita IVA", taxCode: "Codice fiscale", payment: "Pagamento", refund: "Rimborso", paymentDate: "Pagata il",
        refundDate: "Rimborsata il", method: "Metodo", transaction: "Transazione", provider: "Gestore", providerReference: "Riferimento del gestore",
        description: "Descrizione", quantity: "Q.tà", unitPrice: "Prezzo unitario", vatRate: "IVA %", net: "Imponibile", vat: "IVA", total: "Totale",
        vatSummary: "Riepilogo IVA", taxable: "Imponibile", netTotal: "Totale imponibile", vatTotal: "Totale IVA", grandTotal: "Totale",
        creditTotal: "Totale accreditato", unitPriceIncludesVAT: "* Prezzo unitario IVA inclusa", note: "Note", continued: "segue",
        page: "Pagina {page} di {pages}",
        categories: [.standard: "Aliquota ordinaria", .zeroRated: "Aliquota zero", .exempt: "Esente", .reverseCharge: "Inversione contabile", .outOfScope: "Fuori campo IVA"],
        methods: ["card": "Carta", "mobile_money": "Mobile money", "bank_transfer": "Bonifico", "bank_redirect": "Home banking", "wallet": "Wallet", "sepa_debit": "Addebito SEPA"]
    )

    static let french: InvoiceLabels = {
        var labels = frenchWords
        labels.colon = "\u{00A0}:"
        return labels
    }()

    private static let frenchWords = InvoiceLabels(
        invoice: "Facture", creditNote: "Avoir", number: "N°", issueDate: "Date d’émission", creditedInvoice: "Rectifie la facture",
        billTo: "Facturé à", vatID: "N° de TVA", taxCode: "Identifiant fiscal", payment: "Paiement", refund: "Remboursement", paymentDate: "Payée le",
        refundDate: "Remboursé le", method: "Moyen", transaction: "Transaction", provider: "Prestataire", providerReference: "Référence du prestataire",
        description: "Désignation", quantity: "Qté", unitPrice: "Prix unitaire", vatRate: "TVA %", net: "HT", vat: "TVA", total: "TTC",
        vatSummary: "Récapitulatif de la TVA", taxable: "Base HT", netTotal: "Total HT", vatTotal: "Total TVA", grandTotal: "Total TTC",
        creditTotal: "Total de l’avoir", unitPriceIncludesVAT: "* Prix unitaire TTC", note: "Remarque", continued: "suite",
        page: "Page {page} sur {pages}",
        categories: [.standard: "Taux normal", .zeroRated: "Taux zéro", .exempt: "Exonéré", .reverseCharge: "Autoliquidation", .outOfScope: "Hors champ de la TVA"],
        methods: ["card": "Carte", "mobile_money": "Mobile money", "bank_transfer": "Virement", "bank_redirect": "Banque en ligne", "wallet": "Portefeuille", "sepa_debit": "Prélèvement SEPA"]
    )

    static let german = InvoiceLabels(
        invoice: "Rechnung", creditNote: "Rechnungskorrektur", number: "Nr.", issueDate: "Rechnungsdatum", creditedInvoice: "Korrigiert Rechnung",
        billTo: "Rechnungsempfänger", vatID: "USt-IdNr.", taxCode: "Steuernummer", payment: "Zahlung", refund: "Erstattung", paymentDate: "Bezahlt am",
        refundDate: "Erstattet am", method: "Zahlungsart", transaction: "Transaktion", provider: "Zahlungsdienst", providerReference: "Referenz des Zahlungsdiensts",
        description: "Beschreibung", quantity: "Menge", unitPrice: "Einzelpreis", vatRate: "USt. %", net: "Netto", vat: "USt.", total: "Brutto",
        vatSummary: "Umsatzsteuer", taxable: "Nettobetrag", netTotal: "Summe netto", vatTotal: "Summe USt.", grandTotal: "Gesamtbetrag",
        creditTotal: "Gutgeschrieben", unitPriceIncludesVAT: "* Einzelpreis inkl. USt.", note: "Hinweis", continued: "Fortsetzung",
        page: "Seite {page} von {pages}",
        categories: [.standard: "Regelsteuersatz", .zeroRated: "Nullsatz", .exempt: "Steuerfrei", .reverseCharge: "Steuerschuldnerschaft des Leistungsempfängers", .outOfScope: "Nicht steuerbar"],
        methods: ["card": "Karte", "mobile_money": "Mobile Money", "bank_transfer": "Überweisung", "bank_redirect": "Online-Banking", "wallet": "Wallet", "sepa_debit": "SEPA-Lastschrift"]
    )

    static let spanish = InvoiceLabels(
        invoice: "Factura", creditNote: "Factura rectificativa", number: "N.º", issueDate: "Fecha de emisión", creditedInvoice: "Rectifica la factura",
        billTo: "Facturar a", vatID: "NIF-IVA", taxCode: "NIF", payment: "Pago", refund: "Reembolso", paymentDate: "Pagada el",
        refundDate: "Reembolsado el", method: "Método", transaction: "Transacción", provider: "Proveedor", providerReference: "Referencia del proveedor",
        description: "Descripción", quantity: "Cant.", unitPrice: "Precio unitario", vatRate: "IVA %", net: "Base", vat: "IVA", total: "Total",
        vatSummary: "Desglose del IVA", taxable: "Base imponible", netTotal: "Base imponible", vatTotal: "Total IVA", grandTotal: "Total",
        creditTotal: "Total rectificado", unitPriceIncludesVAT: "* Precio unitario con IVA incluido", note: "Nota", continued: "continuación",
        page: "Página {page} de {pages}",
        categories: [.standard: "Tipo general", .zeroRated: "Tipo cero", .exempt: "Exento", .reverseCharge: "Inversión del sujeto pasivo", .outOfScope: "No sujeto a IVA"],
        methods: ["card": "Tarjeta", "mobile_money": "Dinero móvil", "bank_transfer": "Transferencia", "bank_redirect": "Banca en línea", "wallet": "Monedero", "sepa_debit": "Adeudo SEPA"]
    )
}
