import PayHubCore

/// Amounts as both e-invoice formats write them: from integer minor units, with at most two decimals (EN 16931's
/// BR-DEC rules; FatturaPA's `Amount2DecimalType`), never through a floating-point number.
struct EInvoiceAmount {
    let currency: Currency
    let format: InvoiceFormat

    /// The amount in hundredths of the major unit: `1000` JPY is `100000`, `1.250` BHD is `125`. A currency with
    /// more than two decimals is refused for an amount that uses them (`1.005` BHD).
    func hundredths(_ minorUnits: Int64) throws(InvoiceExportRefused) -> Int64 {
        if currency.exponent <= 2 { return minorUnits * Self.power(2 - currency.exponent) }
        let divisor = Self.power(currency.exponent - 2)
        guard minorUnits % divisor == 0 else {
            throw InvoiceExportRefused(
                format: format, field: "amounts.currency",
                message: "\(Money(minorUnits: minorUnits, currency: currency)) has \(currency.exponent) decimals; the format allows at most 2 for an amount.")
        }
        return minorUnits / divisor
    }

    /// Peppol: the currency's own decimals when they are 0, 1 or 2 (`1000` JPY, `12.50` EUR), otherwise 2.
    func minimalDecimals(_ minorUnits: Int64) throws(InvoiceExportRefused) -> String {
        if currency.exponent <= 2 { return Money.decimalString(minorUnits, exponent: currency.exponent) }
        return Money.decimalString(try hundredths(minorUnits), exponent: 2)
    }

    /// FatturaPA: always two decimals (`1000.00` JPY).
    func twoDecimals(_ minorUnits: Int64) throws(InvoiceExportRefused) -> String {
        Money.decimalString(try hundredths(minorUnits), exponent: 2)
    }

    /// A price, which no rule limits in decimals: the currency's exponent, exactly.
    func price(_ minorUnits: Int64) -> String {
        Money.decimalString(minorUnits, exponent: currency.exponent)
    }

    static func power(_ exponent: Int) -> Int64 {
        (0..<exponent).reduce(1) { product, _ in product * 10 }
    }
}
