import PayHubCore

/// The formats a finalised invoice or credit note is rendered in.
public enum InvoiceFormat: String, CaseIterable, Sendable, Codable {
    case pdf
    /// UBL 2.1, Peppol BIS Billing 3.0 (EN 16931).
    case ubl
    /// The Italian FatturaPA 1.2 (FPR12).
    case fatturapa

    public var mediaType: String {
        switch self {
        case .pdf: "application/pdf"
        case .ubl, .fatturapa: "application/xml"
        }
    }

    public var fileExtension: String {
        switch self {
        case .pdf: "pdf"
        case .ubl: "ubl.xml"
        case .fatturapa: "fatturapa.xml"
        }
    }
}

/// Renders a finalised document in one format. Pure: the same document always gives the same bytes.
public protocol InvoiceRenderer: Sendable {
    var format: InvoiceFormat { get }
    func render(_ document: InvoiceDocument) throws(InvoiceExportRefused) -> [UInt8]
}

/// A document the format cannot express (a missing VAT id where the format needs one): refused, never exported
/// broken. `field` names what is missing or wrong, e.g. `seller.vat_id`.
public struct InvoiceExportRefused: Error, Equatable, Sendable, CustomStringConvertible {
    public var format: InvoiceFormat
    public var field: String
    public var message: String

    public init(format: InvoiceFormat, field: String, message: String) {
        self.format = format
        self.field = field
        self.message = message
    }

    public var description: String { "\(format.rawValue): \(field): \(message)" }
}
