import PayHubCore

/// Converts PayHub amounts (ISO 4217 minor units) to Stripe's `amount` where the two disagree
/// (https://docs.stripe.com/currencies): ISK stays two-decimal in Stripe's API (multiples of 100), MGA is
/// zero-decimal in Stripe although ISO gives it two digits. Other currencies pass through; Stripe itself refuses
/// the ones it does not support and three-decimal amounts not ending in 0.
enum StripeAmount {
    static func value(of money: Money) throws -> Int64 {
        switch money.currency.code {
        case "ISK":
            let (result, overflow) = money.minorUnits.multipliedReportingOverflow(by: 100)
            guard !overflow else { throw notRepresentable(money) }
            return result
        case "MGA":
            guard money.minorUnits % 100 == 0 else { throw notRepresentable(money) }
            return money.minorUnits / 100
        default:
            return money.minorUnits
        }
    }

    /// The reverse: a Stripe amount in `currencyCode` as PayHub's minor units (nil when the currency is unknown).
    static func minorUnits(ofStripe amount: Int64?, currencyCode: String?) -> Int64? {
        guard let amount, let code = currencyCode?.uppercased() else { return nil }
        switch code {
        case "ISK": return amount / 100
        case "MGA":
            let (result, overflow) = amount.multipliedReportingOverflow(by: 100)
            return overflow ? nil : result
        default: return amount
        }
    }

    static func currency(of money: Money) -> String { money.currency.code.lowercased() }

    private static func notRepresentable(_ money: Money) -> ConnectorError {
        .invalidRequest(
            code: "amount_not_supported",
            message: "Stripe cannot charge \(money): \(money.currency.code) amounts must be whole units.",
            param: "amount")
    }
}
