/// Where a checkout happens.
public enum CheckoutChannel: String, Sendable, Hashable, CaseIterable, Codable {
    case web, app, pos, link
}

/// An ISO 3166-1 alpha-2 country code: two letters, kept upper-case.
public struct CountryCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String

    public init?(rawValue: String) {
        guard rawValue.utf8.count == 2, rawValue.utf8.allSatisfy({ ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A }) else { return nil }
        self.rawValue = rawValue.uppercased()
    }

    public var description: String { rawValue }
}

/// What the rules read of a checkout session.
public struct CheckoutAttributes: Sendable, Equatable {
    /// In minor units of `currency`.
    public var amount: Int64
    public var currency: Currency
    public var userType: String?
    public var channel: CheckoutChannel?
    public var country: CountryCode?
    /// The categories of the session's line items.
    public var productCategories: Set<String>
    public var metadata: [String: String]

    public init(
        amount: Int64, currency: Currency, userType: String? = nil, channel: CheckoutChannel? = nil, country: CountryCode? = nil,
        productCategories: Set<String> = [], metadata: [String: String] = [:]
    ) {
        self.amount = amount
        self.currency = currency
        self.userType = userType
        self.channel = channel
        self.country = country
        self.productCategories = productCategories
        self.metadata = metadata
    }
}
