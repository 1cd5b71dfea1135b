/// What the checkout rules refuse: an order that cannot be charged, an expiry out of range, or a session that has
/// already ended. Each carries a stable code, a message and the offending parameter.
public enum CheckoutRuleViolation: Error, Equatable, Sendable, CustomStringConvertible {
    case noLineItems
    case tooManyLineItems(Int, maximum: Int)
    case lineNameInvalid(index: Int)
    case lineQuantityInvalid(index: Int)
    case lineUnitAmountInvalid(index: Int)
    case lineTaxRateInvalid(index: Int)
    case lineAmountTooLarge(index: Int)
    case totalNotPositive
    case totalAboveMaximum(Int64, maximum: Int64)
    case expiresAtOutOfRange(Int64)
    case sessionComplete(CheckoutSessionID)
    case sessionExpired(CheckoutSessionID)

    public var code: String {
        switch self {
        case .noLineItems, .tooManyLineItems, .lineNameInvalid, .lineQuantityInvalid, .lineUnitAmountInvalid, .lineTaxRateInvalid:
            "parameter_invalid"
        case .lineAmountTooLarge, .totalNotPositive, .totalAboveMaximum: "amount_invalid"
        case .expiresAtOutOfRange: "expires_at_invalid"
        case .sessionComplete: "checkout_session_complete"
        case .sessionExpired: "checkout_session_expired"
        }
    }

    public var param: String? {
        switch self {
        case .noLineItems, .tooManyLineItems, .totalNotPositive, .totalAboveMaximum: "line_items"
        case .lineNameInvalid(let index): "line_items.\(index).name"
        case .lineQuantityInvalid(let index): "line_items.\(index).quantity"
        case .lineUnitAmountInvalid(let index), .lineAmountTooLarge(let index): "line_items.\(index).unit_amount"
        case .lineTaxRateInvalid(let index): "line_items.\(index).tax_rate"
        case .expiresAtOutOfRange: "expires_at"
        case .sessionComplete, .sessionExpired: nil
        }
    }

    /// Whether the request was wrong (400), rather than the session's state (409).
    public var isInvalidInput: Bool {
        switch self {
        case .sessionComplete, .sessionExpired: false
        default: true
        }
    }

    public var description: String {
        switch self {
        case .noLineItems: "line_items must hold at least one item."
        case .tooManyLineItems(let count, let maximum): "line_items holds \(count) items; at most \(maximum) are allowed."
        case .lineNameInvalid(let index):
            "line_items[\(index)].name must be 1 to \(CheckoutLineItem.maximumNameLength) characters, not only spaces."
        case .lineQuantityInvalid(let index): "line_items[\(index)].quantity must be from 1 to \(CheckoutLineItem.maximumQuantity)."
        case .lineUnitAmountInvalid(let index):
            "line_items[\(index)].unit_amount must be zero or a positive integer in the currency's minor unit, no more than the maximum amount."
        case .lineTaxRateInvalid(let index): "line_items[\(index)].tax_rate must be in basis points, from 0 to 10000 (100 %)."
        case .lineAmountTooLarge(let index): "line_items[\(index)] comes to more than the maximum amount."
        case .totalNotPositive: "The order's total must be more than zero."
        case .totalAboveMaximum(let total, let maximum): "The order's total \(total) is above the maximum of \(maximum) minor units."
        case .expiresAtOutOfRange:
            "expires_at must be a unix time (seconds) from 30 minutes to 7 days from now."
        case .sessionComplete(let id): "Checkout session \(id) is complete: it was paid, and cannot be expired or paid again."
        case .sessionExpired(let id): "Checkout session \(id) has expired and can no longer be paid."
        }
    }
}
