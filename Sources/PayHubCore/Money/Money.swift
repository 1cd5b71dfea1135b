/// An amount in a currency's minor unit (cents for EUR, yen for JPY, fils for BHD). Never a floating-point number.
public struct Money: Hashable, Sendable, CustomStringConvertible {
    public let minorUnits: Int64
    public let currency: Currency

    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// Validates an amount a client asked for: positive and no more than `maximum` minor units.
    public static func chargeable(
        amount: Int64, currencyCode: String, maximum: Int64 = Money.defaultMaximum
    ) throws(MoneyError) -> Money {
        let currency = try Currency(code: currencyCode)
        guard amount > 0 else { throw .notPositive(amount) }
        guard amount <= maximum else { throw .aboveMaximum(amount, maximum: maximum) }
        return Money(minorUnits: amount, currency: currency)
    }

    /// 99,999,999 minor units, the ceiling most card acquirers apply to one charge.
    public static let defaultMaximum: Int64 = 99_999_999

    /// The amount written in major units with the currency's exponent, e.g. `12.50 EUR`, `1000 JPY`, `1.005 BHD`.
    public var description: String { "\(Money.decimalString(minorUnits, exponent: currency.exponent)) \(currency.code)" }

    /// Formats minor units as a decimal string without ever going through a floating-point number.
    public static func decimalString(_ minorUnits: Int64, exponent: Int) -> String {
        let negative = minorUnits < 0
        let digits = String(minorUnits.magnitude)
        guard exponent > 0 else { return (negative ? "-" : "") + digits }
        let padded = String(repeating: "0", count: max(0, exponent + 1 - digits.count)) + digits
        let split = padded.index(padded.endIndex, offsetBy: -exponent)
        return (negative ? "-" : "") + padded[..<split] + "." + padded[split...]
    }
}

public enum MoneyError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownCurrency(String)
    case notPositive(Int64)
    case aboveMaximum(Int64, maximum: Int64)
    case currencyMismatch(String, String)

    public var description: String {
        switch self {
        case .unknownCurrency(let code): "'\(code)' is not an ISO 4217 currency code."
        case .notPositive(let amount): "Amount must be a positive integer in the currency's minor unit; got \(amount)."
        case .aboveMaximum(let amount, let maximum): "Amount \(amount) is above the maximum of \(maximum) minor units."
        case .currencyMismatch(let a, let b): "Currencies \(a) and \(b) do not match."
        }
    }
}
