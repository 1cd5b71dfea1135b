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
    /// Show where to send a bank transfer, and the reference to quote; completion arrives when the money does.
    case displayBankTransferInstructions(BankTransferInstructions)

    public var type: String {
        switch self {
        case .redirectToURL: "redirect_to_url"
        case .otp: "otp"
        case .ussd: "ussd"
        case .displayQRCode: "display_qr_code"
        case .displayBankTransferInstructions: "display_bank_transfer_instructions"
        }
    }
}

/// Where a customer sends a bank transfer. The amount is the intent's.
public struct BankTransferInstructions: Equatable, Sendable, Codable {
    /// What the customer quotes with the transfer, so the provider can match it to the payment.
    public var reference: String
    public var accountHolder: String
    public var iban: String
    public var bic: String

    public init(reference: String, accountHolder: String, iban: String, bic: String) {
        self.reference = reference
        self.accountHolder = accountHolder
        self.iban = iban
        self.bic = bic
    }

    enum CodingKeys: String, CodingKey {
        case reference, iban, bic
        case accountHolder = "account_holder"
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
