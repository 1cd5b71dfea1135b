import Foundation
import PayHubCore

/// The document's values as the locale writes them: amounts and dates through PayHubCore's LocalizedMoney and
/// LocalizedDate, VAT rates and quantities by the locale's separators.
struct InvoiceValues: Sendable {
    let locale: CustomerLocale
    let currency: Currency
    let labels: InvoiceLabels

    init(_ document: InvoiceDocument) {
        locale = document.locale
        currency = document.amounts.currency
        labels = InvoiceLabels.of(document.locale)
    }

    func money(_ minorUnits: Int64) -> String { LocalizedMoney.format(Money(minorUnits: minorUnits, currency: currency), in: locale) }

    func date(_ date: CalendarDate) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        let components = DateComponents(year: date.year, month: date.month, day: date.day, hour: 12)
        guard let instant = calendar.date(from: components) else { return date.description }
        return LocalizedDate.format(instant, in: locale)
    }

    /// `22%`, `5,5 %`: the rate with as many decimals as it has, the locale's decimal mark, and French, German
    /// and Spanish's no-break space before the sign.
    func percent(_ rate: VATRate) -> String {
        var number = String(rate.basisPoints / 100)
        let fraction = rate.basisPoints % 100
        if fraction != 0 {
            let digits = fraction % 10 == 0 ? String(fraction / 10) : (fraction < 10 ? "0" : "") + String(fraction)
            number += (locale == .en ? "." : ",") + digits
        }
        switch locale {
        case .en, .it: return number + "%"
        case .fr, .de, .es: return number + "\u{00A0}%"
        }
    }

    func quantity(_ value: Int64) -> String { String(value) }

    /// A rate in the VAT summary: its percentage, and for a category without VAT its name and reason.
    func rateDescription(_ rate: VATRate) -> String {
        guard rate.category != .standard else { return percent(rate) }
        let name = labels.categories[rate.category] ?? rate.category.rawValue
        return rate.exemptionReason.map { "\(percent(rate)) " + labels.labelled(name, $0) } ?? "\(percent(rate)) \(name)"
    }
}
