/// One line of an invoice or credit note, as it was sold.
public struct InvoiceLineItem: Equatable, Sendable, Codable {
    public var description: String
    public var quantity: Int64
    /// In the currency's minor unit: net of VAT unless `amountIncludesVAT`.
    public var unitAmount: Int64
    public var vatRate: VATRate
    /// True when `unitAmount` already holds the VAT (a payment of a fixed amount); false when VAT comes on top
    /// (checkout line items with a tax rate).
    public var amountIncludesVAT: Bool

    public init(description: String, quantity: Int64, unitAmount: Int64, vatRate: VATRate, amountIncludesVAT: Bool) {
        self.description = description
        self.quantity = quantity
        self.unitAmount = unitAmount
        self.vatRate = vatRate
        self.amountIncludesVAT = amountIncludesVAT
    }

    public static let maximumQuantity: Int64 = 100_000
    public static let maximumDescriptionLength = 200
}

/// A line with its amounts worked out, in minor units.
public struct InvoiceLine: Equatable, Sendable {
    public var item: InvoiceLineItem
    public var net: Int64
    public var vat: Int64
    public var gross: Int64
}

/// The VAT of one rate: what EN 16931 calls a VAT breakdown (BG-23).
public struct VATSubtotal: Equatable, Sendable {
    public var rate: VATRate
    public var taxable: Int64
    public var vat: Int64
}

/// An invoice's amounts, all in one currency's minor unit, never through a floating-point number.
///
/// Rounding rule, per line and then summed: a line's VAT is rounded half up to the minor unit, once, on the
/// line's amount: `vat = (net × rate + 5000) / 10000` when VAT comes on top of `quantity × unitAmount`, and
/// `vat = (gross × rate + (10000 + rate) / 2) / (10000 + rate)` when the amount includes it (`net = gross − vat`).
/// A rate's taxable amount and VAT are the sums of its lines', and the invoice's totals the sums of all lines', so
/// the total is exactly what was paid (the same rule as checkout line items).
public struct InvoiceAmounts: Equatable, Sendable {
    public var currency: Currency
    public var lines: [InvoiceLine]
    /// One per rate, in the order the rates first appear.
    public var subtotals: [VATSubtotal]
    public var net: Int64
    public var vat: Int64
    public var gross: Int64

    public static let maximumLines = 100

    public static func compute(_ items: [InvoiceLineItem], currency: Currency, maximum: Int64 = Money.defaultMaximum) throws(InvoiceAmountsInvalid) -> InvoiceAmounts {
        guard !items.isEmpty else { throw .noLines }
        guard items.count <= maximumLines else { throw .tooManyLines(items.count) }
        var lines: [InvoiceLine] = []
        var subtotals: [VATSubtotal] = []
        var net: Int64 = 0, vat: Int64 = 0
        for (index, item) in items.enumerated() {
            let line = try Self.line(item, index: index, maximum: maximum)
            lines.append(line)
            net += line.net  // each line is at most `maximum` and there are at most 100: no overflow
            vat += line.vat
            if let position = subtotals.firstIndex(where: { $0.rate == item.vatRate }) {
                subtotals[position].taxable += line.net
                subtotals[position].vat += line.vat
            } else {
                subtotals.append(VATSubtotal(rate: item.vatRate, taxable: line.net, vat: line.vat))
            }
        }
        guard net + vat <= maximum else { throw .totalAboveMaximum }
        return InvoiceAmounts(currency: currency, lines: lines, subtotals: subtotals, net: net, vat: vat, gross: net + vat)
    }

    static func line(_ item: InvoiceLineItem, index: Int, maximum: Int64) throws(InvoiceAmountsInvalid) -> InvoiceLine {
        guard item.description.contains(where: { !$0.isWhitespace }), item.description.count <= InvoiceLineItem.maximumDescriptionLength
        else { throw .descriptionInvalid(index: index) }
        guard (1...InvoiceLineItem.maximumQuantity).contains(item.quantity) else { throw .quantityInvalid(index: index) }
        guard (0...maximum).contains(item.unitAmount) else { throw .unitAmountInvalid(index: index) }
        let (amount, overflow) = item.quantity.multipliedReportingOverflow(by: item.unitAmount)
        guard !overflow, amount <= maximum else { throw .amountTooLarge(index: index) }
        let rate = item.vatRate.basisPoints  // 0...10,000 and amount ≤ maximum: the products below fit in Int64
        if item.amountIncludesVAT {
            let divisor = 10_000 + rate
            let vat = (amount * rate + divisor / 2) / divisor
            return InvoiceLine(item: item, net: amount - vat, vat: vat, gross: amount)
        }
        let vat = (amount * rate + 5_000) / 10_000
        guard amount + vat <= maximum else { throw .amountTooLarge(index: index) }
        return InvoiceLine(item: item, net: amount, vat: vat, gross: amount + vat)
    }

    /// The lines of a credit note for `amount` of this invoice: the invoice's own lines when all of it is
    /// credited; otherwise one VAT-inclusive line per line of the invoice, sharing `amount` in proportion to the
    /// lines' gross amounts (largest remainder, so the shares add up to `amount` exactly and keep their rates).
    public func creditLines(for amount: Int64, description: (InvoiceLineItem) -> String) throws(InvoiceAmountsInvalid) -> [InvoiceLineItem] {
        guard amount > 0, amount <= gross else { throw .creditAboveInvoice(amount, invoiced: gross) }
        if amount == gross { return lines.map(\.item) }
        // gross and amount are at most `Money.defaultMaximum` (< 10^8): their product fits in Int64.
        var shares = lines.map { $0.gross * amount / gross }
        let remainders = lines.map { $0.gross * amount % gross }
        var left = amount - shares.reduce(0, +)
        for index in remainders.indices.sorted(by: { remainders[$0] != remainders[$1] ? remainders[$0] > remainders[$1] : $0 < $1 }) where left > 0 {
            shares[index] += 1
            left -= 1
        }
        return zip(lines, shares).filter { $0.1 > 0 }.map { line, share in
            InvoiceLineItem(description: description(line.item), quantity: 1, unitAmount: share, vatRate: line.item.vatRate, amountIncludesVAT: true)
        }
    }
}

public enum InvoiceAmountsInvalid: Error, Equatable, Sendable, CustomStringConvertible {
    case noLines
    case tooManyLines(Int)
    case descriptionInvalid(index: Int)
    case quantityInvalid(index: Int)
    case unitAmountInvalid(index: Int)
    case amountTooLarge(index: Int)
    case totalAboveMaximum
    case creditAboveInvoice(Int64, invoiced: Int64)

    public var description: String {
        switch self {
        case .noLines: "An invoice has at least one line."
        case .tooManyLines(let count): "An invoice has at most \(InvoiceAmounts.maximumLines) lines; got \(count)."
        case .descriptionInvalid(let index): "Line \(index): a description of 1 to \(InvoiceLineItem.maximumDescriptionLength) characters is required."
        case .quantityInvalid(let index): "Line \(index): the quantity is 1 to \(InvoiceLineItem.maximumQuantity)."
        case .unitAmountInvalid(let index): "Line \(index): the unit amount is a non-negative integer in the currency's minor unit."
        case .amountTooLarge(let index): "Line \(index): the amount is above the maximum."
        case .totalAboveMaximum: "The invoice's total is above the maximum."
        case .creditAboveInvoice(let amount, let invoiced): "A credit of \(amount) is not between 1 and the invoiced \(invoiced)."
        }
    }
}
