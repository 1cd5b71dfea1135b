import NIOConcurrencyHelpers
import PayHubCore

/// The locale of each recent (requested locale, `Accept-Language`) pair a checkout page was asked in: browsers send
/// a handful of distinct headers, and parsing one costs more than the look-up. Bounded, and headers longer than any
/// real browser's are worked out every time.
enum CheckoutLocaleMemo {
    private static let known = NIOLockedValueBox<[String: CustomerLocale]>([:])
    static let limit = 512
    static let longestRemembered = 256

    static func negotiate(requested: String?, acceptLanguage: String?, merchantDefault: CustomerLocale) -> CustomerLocale {
        let key = (requested ?? "") + "\u{1}" + (acceptLanguage ?? "") + "\u{1}" + merchantDefault.rawValue
        guard key.utf8.count <= longestRemembered else {
            return CustomerLocale.negotiate(requested: requested, acceptLanguage: acceptLanguage, merchantDefault: merchantDefault)
        }
        if let locale = known.withLockedValue({ $0[key] }) { return locale }
        let locale = CustomerLocale.negotiate(requested: requested, acceptLanguage: acceptLanguage, merchantDefault: merchantDefault)
        known.withLockedValue { known in
            if known.count >= limit { known.removeAll(keepingCapacity: true) }
            known[key] = locale
        }
        return locale
    }
}
