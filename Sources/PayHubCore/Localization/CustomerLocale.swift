import Foundation

/// A language the customer-facing pages, messages and notifications are written in.
public enum CustomerLocale: String, CaseIterable, Sendable, Codable {
    case en, it, fr, de, es

    /// The locale a language tag asks for (`it`, `it-IT`, `fr_CI`, `DE`): its primary language, if PayHub speaks
    /// it. Tags that are not language tags (overlong, odd characters) give nil.
    public init?(tag: String) {
        guard (2...35).contains(tag.count),
              tag.unicodeScalars.allSatisfy({ ($0.properties.isAlphabetic && $0.isASCII) || $0 == "-" || $0 == "_" || ("0"..."9").contains($0) })
        else { return nil }
        let primary = tag.split(whereSeparator: { $0 == "-" || $0 == "_" }).first.map { $0.lowercased() } ?? ""
        self.init(rawValue: primary)
    }

    /// Which locale a page speaks: the session's (unless `auto`), else the best of the browser's
    /// `Accept-Language` that PayHub speaks, else the merchant's default.
    public static func negotiate(requested: String?, acceptLanguage: String?, merchantDefault: CustomerLocale) -> CustomerLocale {
        if let requested, requested != "auto", let locale = CustomerLocale(tag: requested) { return locale }
        if let acceptLanguage, let locale = preferred(acceptLanguage: acceptLanguage) { return locale }
        return merchantDefault
    }

    /// The spoken locale with the highest `q` in an `Accept-Language` header (ties keep the header's order).
    public static func preferred(acceptLanguage header: String) -> CustomerLocale? {
        var best: (locale: CustomerLocale, quality: Double, position: Int)?
        for (position, part) in header.split(separator: ",").prefix(32).enumerated() {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first, let locale = CustomerLocale(tag: tag) else { continue }
            var quality = 1.0
            for parameter in pieces.dropFirst() where parameter.hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)).map { min(max($0, 0), 1) } ?? 0
            }
            guard quality > 0 else { continue }
            if best == nil || quality > best!.quality { best = (locale, quality, position) }
        }
        return best?.locale
    }
}
