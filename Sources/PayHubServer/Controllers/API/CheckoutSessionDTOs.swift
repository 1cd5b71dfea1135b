import Foundation
import PayHubCore

struct CreateCheckoutSessionRequest: StrictRequest {
    struct LineItem: Codable, Sendable {
        var name: String
        var quantity: Int64
        var unitAmount: Int64
        var taxRate: Int64?
        var category: String?

        enum CodingKeys: String, CodingKey {
            case name, quantity, category
            case unitAmount = "unit_amount"
            case taxRate = "tax_rate"
        }
    }

    var amount: Int64?
    var currency: String
    var lineItems: [LineItem]?
    var customer: CreatePaymentIntentRequest.Customer?
    var customerReference: String?
    var purchaseReference: String?
    var successURL: String?
    var cancelURL: String?
    var locale: String?
    var captureMethod: String?
    var expiresAt: Int64?
    var metadata: [String: String]?
    var userType: String?
    var channel: String?
    var country: String?
    /// Overrides of the merchant's theme for this session only.
    var theme: CheckoutThemeChanges?

    enum CodingKeys: String, CodingKey {
        case amount, currency, customer, locale, metadata, channel, country, theme
        case lineItems = "line_items"
        case customerReference = "customer_reference"
        case purchaseReference = "purchase_reference"
        case successURL = "success_url"
        case cancelURL = "cancel_url"
        case captureMethod = "capture_method"
        case expiresAt = "expires_at"
        case userType = "user_type"
    }

    static let shape: [String: FieldShape] = [
        "amount": .value, "currency": .value,
        "line_items": .array(.object(["name": .value, "quantity": .value, "unit_amount": .value, "tax_rate": .value, "category": .value])),
        "customer": .object(CreatePaymentIntentRequest.customerShape),
        "customer_reference": .value, "purchase_reference": .value, "success_url": .value, "cancel_url": .value, "locale": .value,
        "capture_method": .value, "expires_at": .value, "metadata": .metadata, "user_type": .value, "channel": .value, "country": .value,
        "theme": .object(CheckoutThemeChanges.shape),
    ]
}
