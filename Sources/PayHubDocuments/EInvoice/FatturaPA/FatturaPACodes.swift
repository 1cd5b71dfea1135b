import PayHubCore

/// The code lists of FatturaPA 1.2.2 the renderer draws from.
enum FatturaPACodes {
    /// `RegimeFiscaleType` (RF03 was withdrawn).
    static let fiscalRegimes: Set<String> = [
        "RF01", "RF02", "RF04", "RF05", "RF06", "RF07", "RF08", "RF09", "RF10", "RF11", "RF12", "RF13", "RF14", "RF15", "RF16", "RF17", "RF18", "RF19",
    ]

    /// The specific natures of `NaturaType`; the generic N2, N3 and N6 are in the schema but refused by the SDI
    /// since 2021.
    static let natures: Set<String> = [
        "N1", "N2.1", "N2.2", "N3.1", "N3.2", "N3.3", "N3.4", "N3.5", "N3.6", "N4", "N5",
        "N6.1", "N6.2", "N6.3", "N6.4", "N6.5", "N6.6", "N6.7", "N6.8", "N6.9", "N7",
    ]

    /// Why a line has no VAT, in Italian terms (`Natura`). An exemption reason that starts with a nature code
    /// (`N3.2 Art. 41 DL 331/93`) names it; otherwise the category's closest general nature: exempt N4 (esenti),
    /// reverse charge N6.9 (inversione contabile, altri casi), out of scope N2.2 (non soggette, altri casi), zero
    /// rated N3.6 (non imponibili, altre operazioni).
    static func nature(_ group: VATBreakdown.Group) -> String? {
        guard group.basisPoints == 0 else { return nil }
        if let reason = group.exemptionReason, let code = reason.split(separator: " ").first.map(String.init), natures.contains(code) {
            return code
        }
        switch group.category {
        case .exempt: return "N4"
        case .reverseCharge: return "N6.9"
        case .outOfScope: return "N2.2"
        case .zeroRated: return "N3.6"
        case .standard: return nil
        }
    }

    /// `ModalitaPagamento` of a payment already made: a card or a card-backed wallet MP08 (carta di pagamento), a
    /// bank transfer or a payment through the buyer's bank MP05 (bonifico); the other online methods (mobile money,
    /// QR, buy now pay later) have no code of their own and are paid to the merchant like a card: MP08.
    static func paymentMethod(_ method: String) -> String {
        switch method {
        case "bank_transfer", "bank_redirect": "MP05"
        default: "MP08"
        }
    }

    /// `ProgressivoInvio` (1 to 10 characters, unique per transmitter), derived from the document's number: its
    /// letters and digits when they fit (`2026-000123` → `2026000123`), otherwise 10 base-36 digits of its FNV-1a hash.
    static func transmissionNumber(_ number: String) -> String {
        let alphanumeric = String(String.UnicodeScalarView(number.unicodeScalars.filter(EInvoiceText.isAlphanumeric)))
        if (1...10).contains(alphanumeric.count) {
            return alphanumeric
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in number.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        let digits = String(hash, radix: 36, uppercase: true)
        return String((String(repeating: "0", count: max(0, 10 - digits.count)) + digits).suffix(10))
    }
}
