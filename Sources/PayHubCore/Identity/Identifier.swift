/// What kind of object an identifier names; its prefix makes ids self-describing (`pi_...`, `re_...`).
public protocol IdentifierKind: Sendable {
    static var prefix: String { get }
}

/// A typed, prefixed, unguessable id: a `PaymentIntentID` can never be passed where a `RefundID` is expected.
public struct Identifier<Kind: IdentifierKind>: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    /// Accepts only strings that carry this kind's prefix and a plausible body.
    public init?(validating string: String) {
        let prefix = Kind.prefix + "_"
        guard string.hasPrefix(prefix), string.count <= 64, string.count > prefix.count,
              string.utf8.allSatisfy({ Identifier.isIDByte($0) })
        else { return nil }
        self.rawValue = string
    }

    /// Reads a stored id: one without this kind's prefix is an error, never silently accepted.
    public init(parsing string: String) throws(IdentifierInvalid) {
        guard let id = Self(validating: string) else { throw IdentifierInvalid(value: string, expectedPrefix: Kind.prefix) }
        self = id
    }

    public var description: String { rawValue }

    public init(from decoder: Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    static func isIDByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
    }
}

public enum MerchantKind: IdentifierKind { public static let prefix = "acct" }
public enum PaymentIntentKind: IdentifierKind { public static let prefix = "pi" }
public enum PaymentAttemptKind: IdentifierKind { public static let prefix = "py" }
public enum RefundKind: IdentifierKind { public static let prefix = "re" }
public enum EventKind: IdentifierKind { public static let prefix = "evt" }
public enum WebhookEndpointKind: IdentifierKind { public static let prefix = "we" }
public enum WebhookDeliveryKind: IdentifierKind { public static let prefix = "whd" }
public enum ProviderAccountKind: IdentifierKind { public static let prefix = "pa" }
public enum APIKeyKind: IdentifierKind { public static let prefix = "key" }
public enum CheckoutSessionKind: IdentifierKind { public static let prefix = "cs" }
public enum CheckoutRuleKind: IdentifierKind { public static let prefix = "crule" }
public enum NotificationKind: IdentifierKind { public static let prefix = "ntf" }
public enum PaymentLinkKind: IdentifierKind { public static let prefix = "plink" }
public enum SubscriptionKind: IdentifierKind { public static let prefix = "sub" }
public enum TestClockKind: IdentifierKind { public static let prefix = "clock" }
public enum InvoiceKind: IdentifierKind { public static let prefix = "in" }
public enum CreditNoteKind: IdentifierKind { public static let prefix = "cn" }
public enum DocumentKind: IdentifierKind { public static let prefix = "doc" }

public typealias MerchantID = Identifier<MerchantKind>
public typealias PaymentIntentID = Identifier<PaymentIntentKind>
public typealias PaymentAttemptID = Identifier<PaymentAttemptKind>
public typealias RefundID = Identifier<RefundKind>
public typealias EventID = Identifier<EventKind>
public typealias WebhookEndpointID = Identifier<WebhookEndpointKind>
public typealias WebhookDeliveryID = Identifier<WebhookDeliveryKind>
public typealias ProviderAccountID = Identifier<ProviderAccountKind>
public typealias APIKeyID = Identifier<APIKeyKind>
public typealias CheckoutSessionID = Identifier<CheckoutSessionKind>
public typealias CheckoutRuleID = Identifier<CheckoutRuleKind>
public typealias NotificationID = Identifier<NotificationKind>
public typealias PaymentLinkID = Identifier<PaymentLinkKind>
public typealias SubscriptionID = Identifier<SubscriptionKind>
public typealias TestClockID = Identifier<TestClockKind>
public typealias InvoiceID = Identifier<InvoiceKind>
public typealias CreditNoteID = Identifier<CreditNoteKind>
public typealias DocumentID = Identifier<DocumentKind>

public struct IdentifierInvalid: Error, Equatable, Sendable, CustomStringConvertible {
    public var value: String
    public var expectedPrefix: String
    public var description: String { "'\(value)' is not a valid \(expectedPrefix)_ id" }
}
