/// An ISO 4217 currency and the number of digits of its minor unit.
public struct Currency: Hashable, Sendable, CustomStringConvertible {
    /// Upper-case ISO 4217 alphabetic code, e.g. `EUR`.
    public let code: String
    /// Digits after the decimal separator: EUR 2, JPY 0, BHD 3.
    public let exponent: Int

    public var description: String { code }

    /// Looks a currency up by code, case-insensitively.
    public init(code: String) throws(MoneyError) {
        let upper = code.uppercased()
        guard let exponent = Currency.exponents[upper] else { throw .unknownCurrency(code) }
        self.code = upper
        self.exponent = exponent
    }

    public static func isKnown(_ code: String) -> Bool { exponents[code.uppercased()] != nil }

    /// Active ISO 4217 codes with their minor-unit exponents (the list published by the maintenance agency).
    static let exponents: [String: Int] = {
        var table: [String: Int] = [:]
        for code in zeroDecimal { table[code] = 0 }
        for code in threeDecimal { table[code] = 3 }
        for code in fourDecimal { table[code] = 4 }
        for code in twoDecimal { table[code] = 2 }
        return table
    }()

    private static let zeroDecimal = [
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV",
        "XAF", "XOF", "XPF",
    ]
    private static let threeDecimal = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]
    private static let fourDecimal = ["CLF", "UYW"]
    private static let twoDecimal = [
        "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN",
        "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHE", "CHF",
        "CHW", "CNY", "COP", "COU", "CRC", "CUP", "CVE", "CZK", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB",
        "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF",
        "IDR", "ILS", "INR", "IRR", "JMD", "KES", "KGS", "KHR", "KPW", "KYD", "KZT", "LAK", "LBP", "LKR",
        "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN",
        "MXV", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "PAB", "PEN", "PGK", "PHP", "PKR",
        "PLN", "QAR", "RON", "RSD", "RUB", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS",
        "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TOP", "TRY", "TTD", "TWD", "TZS",
        "UAH", "USD", "USN", "UYU", "UZS", "VED", "VES", "WST", "XCD", "XCG", "YER", "ZAR", "ZMW", "ZWG",
    ]
}
