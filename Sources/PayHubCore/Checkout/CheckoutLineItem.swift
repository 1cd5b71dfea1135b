/// One line of a checkout order: `quantity` × `unitAmount`, plus tax at `taxRate` basis points (2200 = 22 %).
///
/// Rounding rule: tax is added on top of the line's subtotal and rounded per line, half up, to the currency's
/// minor unit: `tax = (subtotal × taxRate + 5000) / 10000` in integers. The order's tax is the sum of its lines'.
public struct CheckoutLineItem: Equatable, Sendable, Codable {
    public var name: String
    public var quantity: Int64
    /// In the order currency's minor unit.
    public var unitAmount: Int64
    /// Basis points, 0 to 10,000; nil means no tax.
    public var taxRate: Int64?
    /// The shop's product category (which checkout rules can read).
    public var category: String?

    public init(name: String, quantity: Int64, unitAmount: Int64, taxRate: Int64? = nil, category: String? = nil) {
        self.name = name
        self.quantity = quantity
        self.unitAmount = unitAmount
        self.taxRate = taxRate
        self.category = category
    }

    public static let maximumQuantity: Int64 = 100_000
    public static let maximumTaxRate: Int64 = 10_000
    public static let maximumNameLength = 200
}

/// A line with its amounts worked out.
public struct CheckoutLine: Equatable, Sendable {
    public var item: CheckoutLineItem
    /// `quantity × unitAmount`.
    public var subtotal: Int64
    public var tax: Int64
    /// `subtotal + tax`.
    public var total: Int64

    public init(item: CheckoutLineItem, subtotal: Int64, tax: Int64, total: Int64) {
        self.item = item
        self.subtotal = subtotal
        self.tax = tax
        self.total = total
    }
}

/// An order's amounts, all in one currency's minor unit.
public struct CheckoutTotals: Equatable, Sendable {
    public var lines: [CheckoutLine]
    public var amountSubtotal: Int64
    public var amountTax: Int64
    /// What the customer pays: the payment intent's amount.
    public var amountTotal: Int64
    public var currency: Currency

    /// Amounts as they were worked out (and stored); `compute` is how they are worked out.
    public init(lines: [CheckoutLine], amountSubtotal: Int64, amountTax: Int64, amountTotal: Int64, currency: Currency) {
        self.lines = lines
        self.amountSubtotal = amountSubtotal
        self.amountTax = amountTax
        self.amountTotal = amountTotal
        self.currency = currency
    }

    public static let maximumLines = 100

    /// Works out an order of line items, exactly, refusing what no order may hold. `maximum` caps the total.
    public static func compute(
        _ items: [CheckoutLineItem], currency: Currency, maximum: Int64 = Money.defaultMaximum
    ) throws(CheckoutRuleViolation) -> CheckoutTotals {
        guard !items.isEmpty else { throw .noLineItems }
        guard items.count <= maximumLines else { throw .tooManyLineItems(items.count, maximum: maximumLines) }
        var lines: [CheckoutLine] = []
        var subtotal: Int64 = 0, tax: Int64 = 0
        for (index, item) in items.enumerated() {
            let line = try Self.line(item, index: index, maximum: maximum)
            lines.append(line)
            subtotal += line.subtotal  // each is at most `maximum`, and there are at most 100: no overflow
            tax += line.tax
        }
        let total = subtotal + tax
        guard total > 0 else { throw .totalNotPositive }
        guard total <= maximum else { throw .totalAboveMaximum(total, maximum: maximum) }
        return CheckoutTotals(lines: lines, amountSubtotal: subtotal, amountTax: tax, amountTotal: total, currency: currency)
    }

    /// An order of one amount, without lines or tax.
    public static func single(_ amount: Money) -> CheckoutTotals {
        CheckoutTotals(lines: [], amountSubtotal: amount.minorUnits, amountTax: 0, amountTotal: amount.minorUnits, currency: amount.currency)
    }

    static func line(_ item: CheckoutLineItem, index: Int, maximum: Int64) throws(CheckoutRuleViolation) -> CheckoutLine {
        guard item.name.contains(where: { !$0.isWhitespace }), item.name.count <= CheckoutLineItem.maximumNameLength else { throw .lineNameInvalid(index: index) }
        guard (1...CheckoutLineItem.maximumQuantity).contains(item.quantity) else { throw .lineQuantityInvalid(index: index) }
        guard (0...maximum).contains(item.unitAmount) else { throw .lineUnitAmountInvalid(index: index) }
        if let rate = item.taxRate, !(0...CheckoutLineItem.maximumTaxRate).contains(rate) { throw .lineTaxRateInvalid(index: index) }
        let (subtotal, overflow) = item.quantity.multipliedReportingOverflow(by: item.unitAmount)
        guard !overflow, subtotal <= maximum else { throw .lineAmountTooLarge(index: index) }
        // Cannot overflow for any sane maximum (subtotal ≤ maximum, rate ≤ 10,000), but checked all the same.
        let (scaled, taxOverflow) = subtotal.multipliedReportingOverflow(by: item.taxRate ?? 0)
        guard !taxOverflow, scaled <= Int64.max - 5_000 else { throw .lineAmountTooLarge(index: index) }
        let tax = (scaled + 5_000) / 10_000
        return CheckoutLine(item: item, subtotal: subtotal, tax: tax, total: subtotal + tax)
    }
}
