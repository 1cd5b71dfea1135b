import Foundation

/// Dates as a customer in this locale reads them (`1 December 2026`, `1 dicembre 2026`, `1. Dezember 2026`), in
/// UTC or the offset given; computed from the calendar, not from the machine's locale data.
public enum LocalizedDate {
    public static func format(_ date: Date, in locale: CustomerLocale, secondsFromUTC: Int = 0) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: secondsFromUTC) ?? TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        let day = parts.day ?? 1
        let month = months[locale]![(parts.month ?? 1) - 1]
        let year = parts.year ?? 1970
        switch locale {
        case .en: return "\(day) \(month) \(year)"
        case .de: return "\(day). \(month) \(year)"
        case .es: return "\(day) de \(month) de \(year)"
        case .it, .fr: return "\(day == 1 && locale == .fr ? "1er" : String(day)) \(month) \(year)"
        }
    }

    static let months: [CustomerLocale: [String]] = [
        .en: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
        .it: ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"],
        .fr: ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"],
        .de: ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"],
        .es: ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"],
    ]
}
