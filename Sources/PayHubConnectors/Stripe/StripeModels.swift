/// The parts of Stripe's JSON objects PayHub reads. Everything else in a response is ignored, so new fields
/// (or an emulator's missing ones) never break decoding.

/// https://docs.stripe.com/api/payment_intents/object
struct StripePaymentIntent: Decodable, Sendable, Equatable {
    var id: String
    var status: String
    var amount: Int64?
    var amountReceived: Int64?
    var amountCapturable: Int64?
    var currency: String?
    var captureMethod: String?
    var clientSecret: String?
    var nextAction: StripeNextAction?
    var lastPaymentError: StripeErrorObject?
    /// The customer and method of a saving or off-session payment (ids, or objects when expanded).
    var customer: StripeExpandable<StripeObjectID>?
    var paymentMethod: StripeExpandable<StripePaymentMethod>?
    var setupFutureUsage: String?
    var metadata: [String: String]?

    enum CodingKeys: String, CodingKey {
        case id, status, amount, currency, customer, metadata
        case amountReceived = "amount_received"
        case amountCapturable = "amount_capturable"
        case captureMethod = "capture_method"
        case clientSecret = "client_secret"
        case nextAction = "next_action"
        case lastPaymentError = "last_payment_error"
        case paymentMethod = "payment_method"
        case setupFutureUsage = "setup_future_usage"
    }
}

/// https://docs.stripe.com/api/payment_methods/object: what a customer recognises of a card.
struct StripePaymentMethod: Decodable, Sendable, Equatable, StripeIdentified {
    struct Card: Decodable, Sendable, Equatable {
        var brand: String?
        var last4: String?
    }

    var id: String
    var type: String?
    var card: Card?

    /// `visa •••• 4242`, when Stripe says both.
    var display: String? {
        guard let brand = card?.brand, !brand.isEmpty, let last4 = card?.last4, !last4.isEmpty else { return nil }
        return "\(brand) •••• \(last4)"
    }
}

/// https://docs.stripe.com/api/tokens/object: a card token, read only against localstripe (see `emulatorMethod`).
struct StripeToken: Decodable, Sendable, Equatable {
    var id: String
    var card: StripeObjectID?
}

/// An object with an id: what an expandable field holds when expanded.
protocol StripeIdentified {
    var id: String { get }
}

/// A field Stripe sends as an id, or as the object when expanded (`expand[]=...`; localstripe sometimes
/// expands on its own).
enum StripeExpandable<Object: Decodable & Sendable & Equatable & StripeIdentified>: Decodable, Sendable, Equatable {
    case id(String)
    case object(Object)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let id = try? container.decode(String.self) {
            self = .id(id)
        } else {
            self = .object(try container.decode(Object.self))
        }
    }

    var id: String {
        switch self {
        case .id(let id): id
        case .object(let object): object.id
        }
    }

    var object: Object? {
        if case .object(let object) = self { return object }
        return nil
    }
}

/// `next_action`: only `redirect_to_url` carries a URL a browser can open; `use_stripe_sdk` is for Stripe.js.
struct StripeNextAction: Decodable, Sendable, Equatable {
    struct RedirectToURL: Decodable, Sendable, Equatable {
        var url: String?
        var returnURL: String?

        enum CodingKeys: String, CodingKey {
            case url
            case returnURL = "return_url"
        }
    }

    var type: String
    var redirectToURL: RedirectToURL?

    enum CodingKeys: String, CodingKey {
        case type
        case redirectToURL = "redirect_to_url"
    }
}

/// https://docs.stripe.com/api/refunds/object
struct StripeRefund: Decodable, Sendable, Equatable {
    var id: String
    var status: String?
    var amount: Int64?
    var currency: String?
    var failureReason: String?
    var paymentIntent: String?

    enum CodingKeys: String, CodingKey {
        case id, status, amount, currency
        case failureReason = "failure_reason"
        case paymentIntent = "payment_intent"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        status = try container.decodeIfPresent(String.self, forKey: .status)
        amount = try container.decodeIfPresent(Int64.self, forKey: .amount)
        currency = try container.decodeIfPresent(String.self, forKey: .currency)
        failureReason = try container.decodeIfPresent(String.self, forKey: .failureReason)
        // An id, or the object when expanded.
        paymentIntent = (try? container.decodeIfPresent(String.self, forKey: .paymentIntent))
            ?? (try? container.decodeIfPresent(StripeObjectID.self, forKey: .paymentIntent))?.id
    }
}

/// A Charge, read only for the refunds a `charge.refunded` event lists.
struct StripeCharge: Decodable, Sendable {
    var id: String
    var refunds: [StripeRefund]

    enum CodingKeys: String, CodingKey { case id, refunds }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        // `refunds` is a list object in older API versions and absent in newer ones.
        refunds = (try? container.decodeIfPresent(StripeList<StripeRefund>.self, forKey: .refunds))?.data ?? []
    }
}

struct StripeList<Element: Decodable & Sendable>: Decodable, Sendable {
    var data: [Element]
}

extension StripeList: Equatable where Element: Equatable {}

struct StripeObjectID: Decodable, Sendable, Equatable, StripeIdentified {
    var id: String
}

/// https://docs.stripe.com/api/errors
struct StripeErrorObject: Decodable, Sendable, Equatable {
    var type: String?
    var code: String?
    var declineCode: String?
    var message: String?
    var param: String?
    /// The id of the PaymentIntent a failed confirmation left behind (Stripe sends the object; localstripe
    /// sends nothing).
    var paymentIntentID: String?

    enum CodingKeys: String, CodingKey {
        case type, code, message, param
        case declineCode = "decline_code"
        case paymentIntent = "payment_intent"
    }

    init(type: String? = nil, code: String? = nil, declineCode: String? = nil, message: String? = nil,
         param: String? = nil, paymentIntentID: String? = nil) {
        self.type = type
        self.code = code
        self.declineCode = declineCode
        self.message = message
        self.param = param
        self.paymentIntentID = paymentIntentID
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decodeIfPresent(String.self, forKey: .type)
        code = try container.decodeIfPresent(String.self, forKey: .code)
        declineCode = try container.decodeIfPresent(String.self, forKey: .declineCode)
        message = try container.decodeIfPresent(String.self, forKey: .message)
        param = try container.decodeIfPresent(String.self, forKey: .param)
        paymentIntentID = (try? container.decodeIfPresent(StripeObjectID.self, forKey: .paymentIntent))?.id
    }
}

/// `{"error": {...}}`
struct StripeErrorEnvelope: Decodable, Sendable {
    var error: StripeErrorObject
}

/// https://docs.stripe.com/api/events/object: the envelope, read before the object it carries.
struct StripeEventEnvelope: Decodable, Sendable {
    var id: String
    var type: String
}

/// The same event with `data.object` decoded as `Object`.
struct StripeEvent<Object: Decodable & Sendable>: Decodable, Sendable {
    struct Payload: Decodable, Sendable {
        var object: Object
    }

    var id: String
    var type: String
    var data: Payload
}
