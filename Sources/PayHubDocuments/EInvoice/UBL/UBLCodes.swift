import PayHubCore

/// The code lists the UBL renderer draws from.
enum UBLCodes {
    /// UNCL 4461, the payment means (BT-81) of a payment already made. None of them needs the seller's account
    /// (BR-61 asks for one with 30 and 58, credit transfers the buyer still has to make).
    static func paymentMeans(method: String) -> String {
        switch method {
        case "card": "48"  // bank card
        case "bank_transfer": "42"  // payment to bank account
        case "wallet", "mobile_money", "bank_redirect", "bnpl", "qr": "68"  // online payment service
        default: "1"  // instrument not defined
        }
    }

    /// An EAS scheme (the CEF code list of electronic address schemes) has the shape of `0211` or `EM`. The list
    /// itself changes with every Peppol release; the shape is what this renderer checks.
    static func isElectronicAddressScheme(_ scheme: String) -> Bool {
        EInvoiceText.matches(scheme, length: 4...4, EInvoiceText.isDigit) || EInvoiceText.matches(scheme, length: 2...2, EInvoiceText.isUpperLetter)
    }

    /// A VAT identifier: its ISO 3166 country prefix (or `EL` for Greece, BR-CO-09) and 2 to 30 letters, digits or
    /// `+*.` without spaces.
    static func isVATIdentifier(_ value: String) -> Bool {
        let scalars = Array(value.unicodeScalars)
        guard scalars.count >= 4, scalars.count <= 32, scalars.prefix(2).allSatisfy(EInvoiceText.isUpperLetter) else { return false }
        return scalars.dropFirst(2).allSatisfy { EInvoiceText.isAlphanumeric($0) || "+*.".unicodeScalars.contains($0) }
    }

    /// The VATEX code of a category that has one whatever the reason (reverse charge, out of scope).
    static func exemptionReasonCode(_ group: VATBreakdown.Group) -> String? {
        switch group.category {
        case .reverseCharge: "VATEX-EU-AE"
        case .outOfScope: "VATEX-EU-O"
        case .standard, .zeroRated, .exempt: nil
        }
    }

    /// The payment terms' note (BT-20) in the document's language: when it was paid or refunded, or that it is
    /// due on receipt (BR-CO-25 asks for terms when an amount is due).
    static func paymentTerms(_ document: InvoiceDocument) -> String {
        guard let payment = document.payment else {
            switch document.locale {
            case .en: return "Due on receipt."
            case .it: return "Pagamento a vista."
            case .fr: return "Payable à réception."
            case .de: return "Zahlbar bei Erhalt."
            case .es: return "Pago a la recepción."
            }
        }
        let date = payment.date.description
        switch (document.kind, document.locale) {
        case (.invoice, .en): return "Payment received on \(date)."
        case (.invoice, .it): return "Pagamento ricevuto il \(date)."
        case (.invoice, .fr): return "Paiement reçu le \(date)."
        case (.invoice, .de): return "Zahlung erhalten am \(date)."
        case (.invoice, .es): return "Pago recibido el \(date)."
        case (.creditNote, .en): return "Refund made on \(date)."
        case (.creditNote, .it): return "Rimborso effettuato il \(date)."
        case (.creditNote, .fr): return "Remboursement effectué le \(date)."
        case (.creditNote, .de): return "Erstattung erfolgt am \(date)."
        case (.creditNote, .es): return "Reembolso efectuado el \(date)."
        }
    }
}
