import PayHubCore

/// How a number is written: the prefix and a hyphen (when there is a prefix), the issue date's year, a hyphen and
/// the sequence in six digits or more: `2026-000123`, `F-2026-000123`, `CN-2026-000001`. Invoices and credit notes
/// count separately (per merchant, mode and year), each from 1.
enum InvoiceNumbering {
    static func number(prefix: String?, year: Int, sequence: Int64) -> String {
        let digits = String(sequence)
        let padded = String(repeating: "0", count: max(0, 6 - digits.count)) + digits
        return (prefix.map { $0 + "-" } ?? "") + "\(year)-" + padded
    }

    static func prefix(for kind: InvoiceDocument.Kind, in settings: InvoiceSettings) -> String? {
        switch kind {
        case .invoice: settings.numberPrefix
        case .creditNote: settings.creditNotePrefix
        }
    }
}
