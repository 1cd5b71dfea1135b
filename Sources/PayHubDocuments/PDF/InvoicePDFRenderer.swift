import PayHubCore

/// Renders an invoice or credit note as an A4 PDF 1.7 with the embedded PayHub Sans fonts. Deterministic: the
/// same document gives the same bytes (the creation date is the issue date, nothing reads a clock).
public struct InvoicePDFRenderer: InvoiceRenderer {
    public init() {}

    public var format: InvoiceFormat { .pdf }

    public func render(_ document: InvoiceDocument) throws(InvoiceExportRefused) -> [UInt8] {
        let logo = try document.logo.map { logo throws(InvoiceExportRefused) in try Self.image(logo) }
        let pages = InvoiceLayout.pages(for: document, logo: logo)
        return Self.assemble(pages, logo: logo, document: document)
    }

    /// Whether a logo can go into a PDF: the settings that store one can refuse it up front, with the same
    /// message a render would give.
    public static func checkLogo(_ logo: InvoiceLogo) throws(InvoiceExportRefused) {
        _ = try image(logo)
    }

    static let images = PDFImageCache()

    private static func image(_ logo: InvoiceLogo) throws(InvoiceExportRefused) -> PDFImage {
        do {
            return try images.image(logo)
        } catch {
            throw InvoiceExportRefused(format: .pdf, field: "seller.logo", message: error.description)
        }
    }

    private static func assemble(_ pages: [PDFCanvas], logo: PDFImage?, document: InvoiceDocument) -> [UInt8] {
        var file = PDFFile()
        let catalog = file.reserve()
        let pageTree = file.reserve()
        let regular = PDFFonts.regular.embed(in: &file)
        let bold = PDFFonts.bold.embed(in: &file)
        let image = logo.map { logo in
            let mask = logo.mask.map { file.addStream($0.dictionary, $0.data) }
            return file.addStream(logo.dictionary + (mask.map { [("SMask", .reference($0))] } ?? []), logo.data)
        }
        var resources: [(String, PDFObject)] = [
            ("Font", .dictionary([(PDFFonts.regular.resourceName, .reference(regular)), (PDFFonts.bold.resourceName, .reference(bold))])),
        ]
        if let image { resources.append(("XObject", .dictionary([("Im1", .reference(image))]))) }
        var kids: [PDFObject] = []
        for page in pages {
            let contents = file.addStream([], page.content)
            kids.append(.reference(file.add(.dictionary([
                ("Type", .name("Page")), ("Parent", .reference(pageTree)),
                ("MediaBox", .rectangle([0, 0, InvoiceLayout.pageWidth, InvoiceLayout.pageHeight])),
                ("Resources", .dictionary(resources)), ("Contents", .reference(contents)),
            ]))))
        }
        file.set(pageTree, .dictionary([("Type", .name("Pages")), ("Kids", .array(kids)), ("Count", .int(pages.count))]))
        let labels = InvoiceLabels.of(document.locale)
        let title = "\(document.kind == .invoice ? labels.invoice : labels.creditNote) \(document.number)"
        file.set(catalog, .dictionary([
            ("Type", .name("Catalog")), ("Pages", .reference(pageTree)), ("Lang", .ascii(document.locale.rawValue)),
            ("ViewerPreferences", .dictionary([("DisplayDocTitle", .bool(true))])),
        ]))
        let date = document.issueDate
        let creationDate = "D:" + Self.digits(date.year, 4) + Self.digits(date.month, 2) + Self.digits(date.day, 2) + "000000Z"
        let info = file.add(.dictionary([
            ("Title", .text(title)), ("Author", .text(document.seller.name)), ("Producer", .text("PayHub")), ("Creator", .text("PayHub")),
            ("CreationDate", .ascii(creationDate)), ("ModDate", .ascii(creationDate)),
        ]))
        return file.bytes(root: catalog, info: info)
    }

    /// `value` in decimal, zero-padded to `count` digits (`%04d`).
    private static func digits(_ value: Int, _ count: Int) -> String {
        let digits = String(value.magnitude)
        return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, count - digits.count - (value < 0 ? 1 : 0))) + digits
    }
}
