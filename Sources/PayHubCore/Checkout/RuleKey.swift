/// What a condition reads of the session.
public enum RuleKey: Sendable, Hashable {
    case amount, currency, userType, productCategory, channel, country
    case metadata(String)

    static let metadataPrefix = "metadata."

    public init?(rawValue: String) {
        switch rawValue {
        case "amount": self = .amount
        case "currency": self = .currency
        case "user_type": self = .userType
        case "product_category": self = .productCategory
        case "channel": self = .channel
        case "country": self = .country
        default:
            guard rawValue.hasPrefix(Self.metadataPrefix) else { return nil }
            let name = String(rawValue.dropFirst(Self.metadataPrefix.count))
            guard !name.isEmpty, name.count <= 40 else { return nil }
            self = .metadata(name)
        }
    }

    public var rawValue: String {
        switch self {
        case .amount: "amount"
        case .currency: "currency"
        case .userType: "user_type"
        case .productCategory: "product_category"
        case .channel: "channel"
        case .country: "country"
        case .metadata(let name): Self.metadataPrefix + name
        }
    }
}
