/// Amounts as a customer in this locale reads them: the currency's exponent, the locale's separators and
/// grouping, and the symbol where the locale puts it (`€1,234.56`, `1.234,56 €`, `1 234,56 €`). Computed from the
/// integer minor units, never through a floating-point number.
public enum LocalizedMoney {
    public static func format(_ money: Money, in locale: CustomerLocale) -> String {
        let exponent = money.currency.exponent
        let digits = String(money.minorUnits.magnitude)
        let padded = String(repeating: "0", count: max(0, exponent + 1 - digits.count)) + digits
        let whole = String(padded.dropLast(exponent))
        let fraction = String(padded.suffix(exponent))
        let style = Style(locale)
        var number = grouped(whole, separator: style.grouping, minimumDigits: style.minimumGroupingDigits)
        if exponent > 0 { number += style.decimal + fraction }
        let sign = money.minorUnits < 0 ? "-" : ""
        let symbol = symbols[money.currency.code] ?? money.currency.code
        guard style.symbolFirst else { return sign + number + "\u{00A0}" + symbol }
        // A symbol of letters (`CHF`, `F CFA`, an ISO code) keeps a space before the digits: `CHF 12.50`, not `CHF12.50`.
        let separator = symbol.last?.isLetter == true ? "\u{00A0}" : ""
        return sign + symbol + separator + number
    }

    struct Style {
        var decimal: String
        var grouping: String
        var symbolFirst: Bool
        /// Spanish groups thousands only from five digits on (`1234,56`, `12.345,67`).
        var minimumGroupingDigits: Int

        init(_ locale: CustomerLocale) {
            switch locale {
            case .en: (decimal, grouping, symbolFirst, minimumGroupingDigits) = (".", ",", true, 4)
            case .it, .de: (decimal, grouping, symbolFirst, minimumGroupingDigits) = (",", ".", false, 4)
            case .fr: (decimal, grouping, symbolFirst, minimumGroupingDigits) = (",", "\u{202F}", false, 4)
            case .es: (decimal, grouping, symbolFirst, minimumGroupingDigits) = (",", ".", false, 5)
            }
        }
    }

    static func grouped(_ digits: String, separator: String, minimumDigits: Int) -> String {
        guard digits.count >= minimumDigits else { return digits }
        var groups: [Substring] = []
        var end = digits.endIndex
        while end > digits.startIndex {
            let start = digits.index(end, offsetBy: -3, limitedBy: digits.startIndex) ?? digits.startIndex
            groups.insert(digits[start..<end], at: 0)
            end = start
        }
        return groups.joined(separator: separator)
    }

    /// Symbols customers recognise; other currencies show their ISO code.
    static let symbols: [String: String] = [
        "EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF", "XOF": "F\u{00A0}CFA", "XAF": "FCFA",
    ]
}
