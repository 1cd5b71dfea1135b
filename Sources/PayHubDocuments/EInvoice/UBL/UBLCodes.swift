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
}
