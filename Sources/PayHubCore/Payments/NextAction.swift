/// What the customer must do before an attempt can complete.
public enum NextAction: Equatable, Sendable {
    /// Send the customer to a page (3-D Secure, a wallet, a bank); they come back to `returnURL`.
    case redirectToURL(url: String, returnURL: String?)
    /// Ask the customer for a one-time password and submit it to the attempt's authenticate route.
    case otp(message: String)
    /// Tell the customer to validate on their phone with a USSD code; completion is asynchronous.
    case ussd(message: String)
    /// Show a QR code for the customer to scan with their wallet app; completion is asynchronous.
    case displayQRCode(data: String)

    public var type: String {
        switch self {
        case .redirectToURL: "redirect_to_url"
        case .otp: "otp"
        case .ussd: "ussd"
        case .displayQRCode: "display_qr_code"
        }
    }
}

/// Why an attempt failed, in the shape the API reports as `last_payment_error`.
public struct PaymentFailure: Equatable, Sendable, Codable {
    public enum Kind: String, Codable, Sendable {
        /// The provider refused the payment: a decline, a failed authentication.
        case cardError = "card_error"
        /// The provider could not be reached or answered something PayHub did not understand.
        case apiError = "api_error"
        /// The payment method was not acceptable to the provider.
        case invalidRequestError = "invalid_request_error"
    }

    public var kind: Kind
    public var code: String
    public var declineCode: String?
    public var message: String

    public init(kind: Kind, code: String, declineCode: String? = nil, message: String) {
        self.kind = kind
        self.code = code
        self.declineCode = declineCode
        self.message = message
    }
}
