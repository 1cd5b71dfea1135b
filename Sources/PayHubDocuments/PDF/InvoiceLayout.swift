import PayHubCore

/// Lays an invoice or credit note out on A4 pages: the seller and the title, the buyer and the payment, the
/// lines table (descriptions wrapped, the header repeated on every page it continues on), the VAT summary and
/// totals (kept together), the note, and a footer with "page x of y" on every page.
struct InvoiceLayout {
    static let pageWidth = 595.28, pageHeight = 841.89
    static let left = 50.0, right = 545.28, top = 48.0
    /// Content stops here; the footer sits below.
    static let contentBottom = 772.0

    private let document: InvoiceDocument
    private let values: InvoiceValues
    private let logo: PDFImage?
    private let regular = PDFFonts.regular, bold = PDFFonts.bold
    private var labels: InvoiceLabels { values.labels }
    private var pages: [PDFCanvas] = []
    private var canvas = PDFCanvas(height: InvoiceLayout.pageHeight)
    private var y = InvoiceLayout.top

    private static let ink = PDFColor(gray: 0.12), muted = PDFColor(gray: 0.42), rule = PDFColor(gray: 0.82)
    private static let band = PDFColor(gray: 0.945), accent = PDFColor(0.13, 0.25, 0.44)
    private static let bodySize = 8.5, lineHeight = 11.5
    /// Where the title's details and the payment block start.
    private static let rightColumn = 310.0

    static func pages(for document: InvoiceDocument, logo: PDFImage?) -> [PDFCanvas] {
        var layout = InvoiceLayout(document: document, values: InvoiceValues(document), logo: logo)
        layout.drawHeading()
        layout.drawParties()
        layout.drawLines()
        layout.drawSummary()
        layout.drawNote()
        return layout.finish()
    }

    private init(document: InvoiceDocument, values: InvoiceValues, logo: PDFImage?) {
        self.document = document
        self.values = values
        self.logo = logo
    }

    private var title: String { document.kind == .invoice ? labels.invoice : labels.creditNote }

    // MARK: Pages

    private mutating func newPage() {
        pages.append(canvas)
        canvas = PDFCanvas(height: Self.pageHeight)
        canvas.text("\(title) \(document.number)", x: Self.left, y: Self.top + 10, font: bold, size: 10, color: Self.ink)
        let sellerName = TextWrap.truncated(document.seller.name, font: regular, size: Self.bodySize, width: 250)
        canvas.text("(\(labels.continued))", x: Self.left + bold.width("\(title) \(document.number) ", size: 10), y: Self.top + 10, font: regular, size: Self.bodySize, color: Self.muted)
        canvas.text(sellerName, right: Self.right, y: Self.top + 10, font: regular, size: Self.bodySize, color: Self.muted)
        canvas.line(from: (Self.left, Self.top + 18), to: (Self.right, Self.top + 18), width: 0.5, color: Self.rule)
        y = Self.top + 32
    }

    /// Starts a new page unless `height` still fits on this one; true when it did.
    private mutating func breakPage(before height: Double) -> Bool {
        guard y + height > Self.contentBottom else { return false }
        newPage()
        return true
    }

    private mutating func finish() -> [PDFCanvas] {
        pages.append(canvas)
        let count = pages.count
        let sellerLine = [document.seller.name, document.seller.vatID.map { "\(labels.vatID) \($0)" }].compactMap { $0 }.joined(separator: " · ")
        for index in pages.indices {
            let pageText = "\(title) \(document.number) · \(labels.page(index + 1, of: count))"
            let pageWidth = regular.width(pageText, size: 7.5)
            pages[index].line(from: (Self.left, 800), to: (Self.right, 800), width: 0.5, color: Self.rule)
            let seller = TextWrap.truncated(sellerLine, font: regular, size: 7.5, width: Self.right - Self.left - pageWidth - 24)
            pages[index].text(seller, x: Self.left, y: 812, font: regular, size: 7.5, color: Self.muted)
            pages[index].text(pageText, right: Self.right, y: 812, font: regular, size: 7.5, color: Self.muted)
        }
        return pages
    }

    // MARK: Heading: the seller on the left, the title on the right

    private mutating func drawHeading() {
        var leftY = Self.top
        if let logo {
            let scale = min(160 / Double(logo.width), 56 / Double(logo.height))
            let size = (width: Double(logo.width) * scale, height: Double(logo.height) * scale)
            canvas.image(x: Self.left, y: leftY, width: size.width, height: size.height)
            leftY += size.height + 14
        }
        let seller = document.seller
        for line in TextWrap.lines(seller.name, font: bold, size: 12, width: 260, maximumLines: 2) {
            leftY += 13
            canvas.text(line, x: Self.left, y: leftY, font: bold, size: 12, color: Self.ink)
            leftY += 2
        }
        leftY += 2
        leftY = drawDetails(of: seller, x: Self.left, y: leftY, width: 260)

        var rightY = Self.top + 20
        let titleSize = fittedSize(title, font: bold, size: 22, width: 225)
        canvas.text(title, right: Self.right, y: rightY, font: bold, size: titleSize, color: Self.accent)
        rightY += 14
        var rows = [(labels.number, document.number, true), (labels.issueDate, values.date(document.issueDate), false)]
        if let credited = document.creditedInvoice {
            rows.append((labels.creditedInvoice, "\(credited.number), \(values.date(credited.issueDate))", false))
        }
        rightY = drawRows(rows, x: Self.rightColumn, y: rightY)
        y = max(leftY, rightY) + 16
        canvas.line(from: (Self.left, y), to: (Self.right, y), width: 0.75, color: Self.rule)
        y += 16
    }

    /// Address, VAT id, tax code, email and phone, one per line; returns the y below them.
    private mutating func drawDetails(of party: InvoiceParty, x: Double, y start: Double, width: Double) -> Double {
        var details: [String] = []
        if let address = party.address {
            details += address.lines.prefix(4)  // more would push the VAT id off the block
            let place = [address.postalCode, address.city, address.region.map { "(\($0))" }].compactMap { $0 }.filter { !$0.isEmpty }
            details.append(place.joined(separator: " ") + ", " + address.countryCode)
        }
        if let vatID = party.vatID { details.append(labels.labelled(labels.vatID, vatID)) }
        if let taxCode = party.taxCode { details.append(labels.labelled(labels.taxCode, taxCode)) }
        if let email = party.email { details.append(email) }
        if let phone = party.phone { details.append(phone) }
        var y = start
        for line in details.flatMap({ TextWrap.lines($0, font: regular, size: Self.bodySize, width: width, maximumLines: 2) }) {
            y += Self.lineHeight
            canvas.text(line, x: x, y: y, font: regular, size: Self.bodySize, color: Self.ink)
        }
        return y
    }

    /// Label and value pairs from `x` to the right margin: labels muted on the left, values right-aligned, both
    /// wrapped to their columns. Returns the y below the last.
    private mutating func drawRows(_ rows: [(String, String, Bool)], x: Double, y start: Double) -> Double {
        let widest = rows.map { regular.width($0.0, size: Self.bodySize) }.max() ?? 0
        let labelWidth = min(widest, 110), valueWidth = Self.right - x - labelWidth - 10
        var y = start
        for (label, value, strong) in rows {
            let font = strong ? bold : regular
            let labelLines = TextWrap.lines(label, font: regular, size: Self.bodySize, width: labelWidth, maximumLines: 2)
            let valueLines = TextWrap.lines(value, font: font, size: Self.bodySize, width: valueWidth, maximumLines: 3)
            for (index, line) in labelLines.enumerated() {
                canvas.text(line, x: x, y: y + Self.lineHeight * Double(index + 1), font: regular, size: Self.bodySize, color: Self.muted)
            }
            for (index, line) in valueLines.enumerated() {
                canvas.text(line, right: Self.right, y: y + Self.lineHeight * Double(index + 1), font: font, size: Self.bodySize, color: Self.ink)
            }
            y += Self.lineHeight * Double(max(labelLines.count, valueLines.count)) + 2
        }
        return y
    }

    // MARK: Buyer and payment

    private mutating func drawParties() {
        var leftY = y
        canvas.text(labels.billTo.uppercased(), x: Self.left, y: leftY + 8, font: bold, size: 7, color: Self.muted)
        leftY += 10
        for line in TextWrap.lines(document.buyer.name, font: bold, size: 10, width: 250, maximumLines: 3) {
            leftY += 12.5
            canvas.text(line, x: Self.left, y: leftY, font: bold, size: 10, color: Self.ink)
        }
        leftY = drawDetails(of: document.buyer, x: Self.left, y: leftY + 1, width: 250)

        var rightY = y
        if let payment = document.payment {
            let heading = document.kind == .invoice ? labels.payment : labels.refund
            canvas.text(heading.uppercased(), x: Self.rightColumn, y: rightY + 8, font: bold, size: 7, color: Self.muted)
            rightY += 10
            let method = labels.method(payment.method) + (payment.methodDisplay.map { " · \($0)" } ?? "")
            var rows = [
                (document.kind == .invoice ? labels.paymentDate : labels.refundDate, values.date(payment.date), false),
                (labels.method, method, false),
                (labels.transaction, payment.transactionID, false),
                (labels.provider, payment.provider.prefix(1).uppercased() + payment.provider.dropFirst(), false),
            ]
            if let reference = payment.providerReference { rows.append((labels.providerReference, reference, false)) }
            rightY = drawRows(rows, x: Self.rightColumn, y: rightY)
        }
        y = max(leftY, rightY) + 22
    }

    // MARK: Lines

    /// A column of the lines table or the VAT summary.
    private struct Column {
        var title: String
        /// The right edge of a right-aligned column, or nil for the one left-aligned at `descriptionX`.
        var right: Double?
        var width: Double
    }

    private static let descriptionX = left + 6, descriptionWidth = 150.0

    private var lineColumns: [Column] {
        [
            Column(title: labels.description, right: nil, width: Self.descriptionWidth),
            Column(title: labels.quantity, right: 246, width: 36),
            Column(title: labels.unitPrice, right: 310, width: 58),
            Column(title: labels.vatRate, right: 352, width: 38),
            Column(title: labels.net, right: 416, width: 58),
            Column(title: labels.vat, right: 477, width: 55),
            Column(title: labels.total, right: Self.right - 6, width: 58),
        ]
    }

    /// A shaded band from the left margin to `right` with the columns' titles (two lines at most), at `y`;
    /// returns its height.
    private mutating func drawHeaderBand(_ columns: [Column], right: Double) -> Double {
        let titles = columns.map { TextWrap.lines($0.title, font: bold, size: 7.5, width: $0.width, maximumLines: 2) }
        let height = 10 + 9 * Double(titles.map(\.count).max() ?? 1)
        canvas.rectangle(x: Self.left, y: y, width: right - Self.left, height: height, color: Self.band)
        for (column, lines) in zip(columns, titles) {
            for (index, line) in lines.enumerated() {
                let baseline = y + 12 + 9 * Double(index)
                if let right = column.right {
                    canvas.text(line, right: right, y: baseline, font: bold, size: 7.5, color: Self.ink)
                } else {
                    canvas.text(line, x: Self.descriptionX, y: baseline, font: bold, size: 7.5, color: Self.ink)
                }
            }
        }
        return height
    }

    private mutating func drawTableHeader() {
        y += drawHeaderBand(lineColumns, right: Self.right)
    }

    private mutating func drawLines() {
        drawTableHeader()
        for line in document.amounts.lines {
            let description = TextWrap.lines(line.item.description, font: regular, size: Self.bodySize, width: Self.descriptionWidth)
            let height = 7 + Self.lineHeight * Double(description.count)
            if breakPage(before: height) { drawTableHeader() }
            let baseline = y + 3.5 + Self.lineHeight - 1.5
            for (index, text) in description.enumerated() {
                canvas.text(text, x: Self.descriptionX, y: baseline + Self.lineHeight * Double(index), font: regular, size: Self.bodySize, color: Self.ink)
            }
            let unit = values.money(line.item.unitAmount) + (line.item.amountIncludesVAT ? "*" : "")
            let cells = [values.quantity(line.item.quantity), unit, values.percent(line.item.vatRate), values.money(line.net), values.money(line.vat), values.money(line.gross)]
            for (column, text) in zip(lineColumns.dropFirst(), cells) {
                let size = fittedSize(text, font: regular, size: Self.bodySize, width: column.width + 4)
                canvas.text(text, right: column.right!, y: baseline, font: regular, size: size, color: Self.ink)
            }
            y += height
            canvas.line(from: (Self.left, y), to: (Self.right, y), width: 0.4, color: Self.rule)
        }
        if document.amounts.lines.contains(where: \.item.amountIncludesVAT) {
            _ = breakPage(before: 14)
            canvas.text(labels.unitPriceIncludesVAT, x: Self.descriptionX, y: y + 11, font: regular, size: 7, color: Self.muted)
            y += 14
        }
        y += 16
    }

    /// `size`, or smaller so that `text` fits in `width` (an amount of many digits in a narrow column).
    private func fittedSize(_ text: String, font: PDFFont, size: Double, width: Double) -> Double {
        let natural = font.width(text, size: size)
        return natural <= width ? size : max(4, size * width / natural)
    }

    // MARK: VAT summary and totals

    private mutating func drawSummary() {
        let amounts = document.amounts
        let rateWidth = 118.0
        let rates = amounts.subtotals.map { TextWrap.lines(values.rateDescription($0.rate), font: regular, size: Self.bodySize, width: rateWidth, maximumLines: 4) }
        let summaryHeight = 10 + 9 * 2 + rates.reduce(0) { $0 + 8 + Self.lineHeight * Double($1.count) }
        let totalsHeight = 3 * 18 + 26.0
        _ = breakPage(before: max(summaryHeight, totalsHeight) + 4)

        // The VAT summary, left.
        let summaryRight = 300.0
        let columns = [
            Column(title: labels.vatSummary, right: nil, width: rateWidth), Column(title: labels.taxable, right: summaryRight - 70, width: 70),
            Column(title: labels.vat, right: summaryRight - 6, width: 58),
        ]
        let headerHeight = drawHeaderBand(columns, right: summaryRight)
        var leftY = y + headerHeight
        for (subtotal, lines) in zip(amounts.subtotals, rates) {
            let baseline = leftY + 4 + Self.lineHeight - 1.5
            for (index, line) in lines.enumerated() {
                canvas.text(line, x: Self.descriptionX, y: baseline + Self.lineHeight * Double(index), font: regular, size: Self.bodySize, color: Self.ink)
            }
            for (text, column) in [(values.money(subtotal.taxable), columns[1]), (values.money(subtotal.vat), columns[2])] {
                canvas.text(text, right: column.right!, y: baseline, font: regular, size: fittedSize(text, font: regular, size: Self.bodySize, width: 70), color: Self.ink)
            }
            leftY += 8 + Self.lineHeight * Double(lines.count)
            canvas.line(from: (Self.left, leftY), to: (summaryRight, leftY), width: 0.4, color: Self.rule)
        }

        // The totals, right.
        let totalsLeft = 340.0
        var rightY = y
        for (label, amount) in [(labels.netTotal, amounts.net), (labels.vatTotal, amounts.vat)] {
            canvas.text(label, x: totalsLeft + 6, y: rightY + 12, font: regular, size: 9, color: Self.muted)
            canvas.text(values.money(amount), right: Self.right - 6, y: rightY + 12, font: regular, size: 9, color: Self.ink)
            rightY += 18
            canvas.line(from: (totalsLeft, rightY), to: (Self.right, rightY), width: 0.4, color: Self.rule)
        }
        rightY += 4
        canvas.rectangle(x: totalsLeft, y: rightY, width: Self.right - totalsLeft, height: 26, color: Self.band)
        let totalLabel = document.kind == .invoice ? labels.grandTotal : labels.creditTotal
        let total = values.money(amounts.gross)
        let totalSize = fittedSize(total, font: bold, size: 12, width: 120)
        let labelWidth = Self.right - totalsLeft - 22 - bold.width(total, size: totalSize)
        canvas.text(TextWrap.truncated(totalLabel, font: bold, size: 10, width: labelWidth), x: totalsLeft + 6, y: rightY + 17, font: bold, size: 10, color: Self.ink)
        canvas.text(total, right: Self.right - 6, y: rightY + 17.5, font: bold, size: totalSize, color: Self.accent)
        rightY += 26
        y = max(leftY, rightY) + 22
    }

    // MARK: Note

    private mutating func drawNote() {
        guard let note = document.note, note.contains(where: { !$0.isWhitespace }) else { return }
        let lines = TextWrap.lines(note, font: regular, size: Self.bodySize, width: Self.right - Self.left, keepLineBreaks: true, maximumLines: 200)
        _ = breakPage(before: 14 + Self.lineHeight)
        canvas.text(labels.note.uppercased(), x: Self.left, y: y + 8, font: bold, size: 7, color: Self.muted)
        y += 10
        for line in lines {
            _ = breakPage(before: Self.lineHeight)
            y += Self.lineHeight
            canvas.text(line, x: Self.left, y: y, font: regular, size: Self.bodySize, color: Self.ink)
        }
    }
}
