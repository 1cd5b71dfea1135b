import PayHubCore
import Foundation

/// Checks on a checkout session's own input that DTO decoding cannot express (the intent's are `InputRules`).
enum CheckoutInputRules {
    struct Attributes: Equatable {
        var userType: String?
        var channel: CheckoutChannel?
        var country: String?
    }

    static let maximumLocaleLength = 35

    /// `auto` (the default: the customer's browser decides) or a language tag such as `it` or `fr-CI`.
    static func locale(_ raw: String?) throws -> String {
        guard let raw else { return "auto" }
        guard raw == "auto" || (raw.count <= maximumLocaleLength && raw.wholeMatch(of: /[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*/) != nil) else {
            throw ServiceError.invalid(
                "locale_invalid", "locale must be auto or a language tag such as 'it' or 'fr-CI' (at most \(maximumLocaleLength) characters).",
                param: "locale")
        }
        return raw
    }

    /// A session's theme overrides: each value valid on its own (the merchant's theme may change before the page shows).
    static func theme(_ changes: CheckoutThemeChanges?) throws {
        guard let changes else { return }
        do {
            _ = try CheckoutTheme.standard.applying(changes)
        } catch {
            throw ServiceError.invalid("parameter_invalid", "theme.\(error.field) \(error.reason).", param: "theme.\(error.field)")
        }
    }

    static func pages(success: String?, cancel: String?) throws {
        try InputRules.url(success, param: "success_url")
        try InputRules.url(cancel, param: "cancel_url")
    }

    /// What the shop says of its customer for the checkout rules.
    static func attributes(userType: String?, channel: String?, country: String?) throws -> Attributes {
        if let userType, userType.wholeMatch(of: /[A-Za-z0-9_.\-]{1,64}/) == nil {
            throw ServiceError.invalid(
                "parameter_invalid", "user_type must be 1 to 64 letters, digits, '_', '-' or '.', such as 'business'.", param: "user_type")
        }
        let parsedChannel = try channel.map { raw in
            guard let parsed = CheckoutChannel(rawValue: raw) else {
                throw ServiceError.invalid(
                    "parameter_invalid", "channel must be one of \(CheckoutChannel.allCases.map(\.rawValue).joined(separator: ", ")).",
                    param: "channel")
            }
            return parsed
        }
        if let country, country.wholeMatch(of: /[A-Z]{2}/) == nil {
            throw ServiceError.invalid("parameter_invalid", "country must be an ISO 3166 alpha-2 code such as 'IT'.", param: "country")
        }
        return Attributes(userType: userType, channel: parsedChannel, country: country)
    }
}
