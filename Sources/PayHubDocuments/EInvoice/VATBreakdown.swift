import PayHubCore

/// The VAT breakdown an e-invoice carries: one group per category and rate, with the taxable amounts and VAT of
/// `InvoiceAmounts` (the sums of the lines' per-line rounded amounts, so that the total is what was paid).
struct VATBreakdown {
    struct Group: Equatable {
        var category: VATRate.Category
        var basisPoints: Int64
        /// Only for the categories that carry one (exempt, reverse charge, out of scope).
        var exemptionReason: String?
        var taxable: Int64
        var vat: Int64
    }

    var groups: [Group]

    /// Groups `amounts.subtotals` by category and rate. Core keeps two subtotals apart when only their exemption
    /// reasons differ; a format has one group per category and rate, so that such reasons, which cannot be merged,
    /// are refused (EN 16931 BR-E-01, BR-AE-01, BR-O-01: exactly one breakdown per such category).
    init(_ amounts: InvoiceAmounts, format: InvoiceFormat) throws(InvoiceExportRefused) {
        var groups: [Group] = []
        for subtotal in amounts.subtotals {
            let rate = subtotal.rate
            let carriesReason = [.exempt, .reverseCharge, .outOfScope].contains(rate.category)
            let reason = carriesReason ? EInvoiceText.line(rate.exemptionReason) : nil
            guard let index = groups.firstIndex(where: { $0.category == rate.category && $0.basisPoints == rate.basisPoints }) else {
                groups.append(Group(category: rate.category, basisPoints: rate.basisPoints, exemptionReason: reason, taxable: subtotal.taxable, vat: subtotal.vat))
                continue
            }
            guard groups[index].exemptionReason == reason else {
                throw InvoiceExportRefused(
                    format: format, field: "amounts.lines",
                    message: "Lines of VAT category \(rate.category.rawValue) give two different exemption reasons; the format has one per category and rate.")
            }
            groups[index].taxable += subtotal.taxable
            groups[index].vat += subtotal.vat
        }
        self.groups = groups
    }

    /// The group a line of `rate` belongs to.
    func group(of rate: VATRate) -> Group {
        guard let group = groups.first(where: { $0.category == rate.category && $0.basisPoints == rate.basisPoints }) else {
            preconditionFailure("VATBreakdown groups the rate of every line")
        }
        return group
    }

    /// EN 16931 BR-CO-17: a group's VAT is its taxable amount × its rate, rounded to two decimals, within a tolerance
    /// of `toleranceHundredths` hundredths of the major unit. The VAT here is the sum of per-line rounded amounts, which
    /// drifts from that by up to half a minor unit per line, so that many small lines at one rate can break the rule:
    /// such a document is refused, never written with a VAT that differs from the one charged. The rule is checked
    /// with half-up (the schematron's `round`) and half-even (Python's `Decimal.quantize`) rounding.
    func checkRounding(_ amount: EInvoiceAmount, toleranceHundredths: Int64) throws(InvoiceExportRefused) {
        for group in groups where group.basisPoints > 0 {
            let taxable = try amount.hundredths(group.taxable)
            let vat = try amount.hundredths(group.vat)
            let product = taxable * group.basisPoints  // hundredths × basis points: at most 10^10 × 10^4
            let (quotient, remainder) = product.quotientAndRemainder(dividingBy: 10_000)
            let halfUp = quotient + (remainder >= 5_000 ? 1 : 0)
            let halfEven = quotient + (remainder > 5_000 || (remainder == 5_000 && quotient % 2 == 1) ? 1 : 0)
            let deviation = max(abs(vat - halfUp), abs(vat - halfEven))
            guard deviation > toleranceHundredths else { continue }
            let rate = Money.decimalString(group.basisPoints, exponent: 2)
            throw InvoiceExportRefused(
                format: amount.format, field: "amounts.subtotals",
                message: "The VAT at \(rate) % is \(Money(minorUnits: group.vat, currency: amount.currency)), the sum of its lines rounded one by one; "
                    + "\(rate) % of the taxable \(Money(minorUnits: group.taxable, currency: amount.currency)) rounded is \(Money.decimalString(halfUp, exponent: 2)). "
                    + "The format allows a difference of \(Money.decimalString(toleranceHundredths, exponent: 2)) (EN 16931 BR-CO-17).")
        }
    }
}
