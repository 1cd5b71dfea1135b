import Foundation
import PayHubConnectors

/// Checks on client input that DTO decoding cannot express.
enum InputRules {
    static let paymentMethodTypes: Set<String> = ["card", "wallet", "mobile_money", "bank_redirect", "bnpl", "bank_transfer", "qr"]

    static func text(_ value: String?, max: Int, param: String) throws {
        guard let value else { return }
        guard value.count <= max else {
            throw ServiceError.invalid("parameter_invalid", "\(param) must have at most \(max) characters.", param: param)
        }
        guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" }) else {
            throw ServiceError.invalid("parameter_invalid", "\(param) must not contain control characters.", param: param)
        }
    }

    static func customer(_ customer: CreatePaymentIntentRequest.Customer?) throws {
        guard let customer else { return }
        try text(customer.name, max: 200, param: "customer.name")
        try text(customer.email, max: 254, param: "customer.email")
        if let email = customer.email, email.wholeMatch(of: /[^@\s]+@[^@\s]+\.[^@\s]+/) == nil {
            throw ServiceError.invalid("email_invalid", "customer.email is not an email address.", param: "customer.email")
        }
        if let phone = customer.phone, phone.wholeMatch(of: /\+?[0-9 ]{6,20}/) == nil {
            throw ServiceError.invalid("phone_invalid", "customer.phone must be a phone number, digits with an optional +.", param: "customer.phone")
        }
        if let locale = customer.locale, locale.wholeMatch(of: /[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*/) == nil {
            throw ServiceError.invalid("locale_invalid", "customer.locale must be a language tag such as 'it' or 'fr-CI'.", param: "customer.locale")
        }
        if let taxID = customer.taxID, taxID.wholeMatch(of: /[A-Za-z0-9]{2,30}/) == nil {
            throw ServiceError.invalid(
                "tax_id_invalid", "customer.tax_id must be 2 to 30 letters and digits, such as IT01234567890 or RSSMRA85T10A562S.",
                param: "customer.tax_id")
        }
        if let address = customer.address { try self.address(address, param: "customer.address") }
    }

    static func address(_ address: AddressObject, param: String) throws {
        for (value, name, max) in [(address.line1, "line1", 200), (address.line2, "line2", 200), (address.city, "city", 100), (address.state, "state", 100)] {
            try text(value, max: max, param: "\(param).\(name)")
            if value?.contains("\n") == true {
                throw ServiceError.invalid("parameter_invalid", "\(param).\(name) is one line.", param: "\(param).\(name)")
            }
        }
        if let postal = address.postalCode, postal.wholeMatch(of: /[A-Za-z0-9][A-Za-z0-9 -]{0,15}/) == nil {
            throw ServiceError.invalid("parameter_invalid", "\(param).postal_code must be up to 16 letters, digits, spaces and dashes.", param: "\(param).postal_code")
        }
        guard address.country.wholeMatch(of: /[A-Z]{2}/) != nil else {
            throw ServiceError.invalid("country_invalid", "\(param).country must be an ISO 3166-1 alpha-2 code such as IT.", param: "\(param).country")
        }
    }

    static let cardTokenMissing = ServiceError.invalid(
        "parameter_missing", "A card payment needs payment_method.token, the provider's token for the card.", param: "payment_method.token")

    static func paymentMethod(_ input: PaymentMethodInput) throws -> PaymentMethodData {
        guard paymentMethodTypes.contains(input.type) else {
            throw ServiceError.invalid(
                "payment_method_unsupported", "payment_method.type must be one of \(paymentMethodTypes.sorted().joined(separator: ", ")).",
                param: "payment_method.type")
        }
        try text(input.token, max: 255, param: "payment_method.token")
        try text(input.network, max: 64, param: "payment_method.network")
        switch input.type {
        case "card":
            // No token: the provider's own card page, where the provider takes it (`cardTokenMissing` otherwise).
            if input.token?.isEmpty == true { throw cardTokenMissing }
        case "mobile_money":
            guard let msisdn = input.msisdn, msisdn.wholeMatch(of: /\+?[0-9]{8,15}/) != nil else {
                throw ServiceError.invalid(
                    "parameter_invalid", "payment_method.msisdn must be a phone number of 8 to 15 digits.", param: "payment_method.msisdn")
            }
            guard let country = input.country, country.wholeMatch(of: /[A-Z]{2}/) != nil else {
                throw ServiceError.invalid(
                    "parameter_invalid", "payment_method.country must be an ISO 3166 alpha-2 code such as 'CI'.",
                    param: "payment_method.country")
            }
        default:
            break
        }
        return PaymentMethodData(
            type: input.type, token: input.token, msisdn: input.msisdn, country: input.country, network: input.network, otp: input.otp)
    }

    /// An absolute http(s) URL without credentials.
    static func url(_ value: String?, param: String) throws {
        guard let value else { return }
        guard value.count <= 2048, let components = URLComponents(string: value),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty, components.user == nil, components.password == nil
        else {
            throw ServiceError.invalid("url_invalid", "\(param) must be an absolute http(s) URL.", param: param)
        }
    }

    /// A list's `status` filter: an unknown status is the caller's error, never an empty list.
    static func statusFilter<Status: RawRepresentable>(
        _ page: PageRequest, as type: Status.Type, naming what: String = "status"
    ) throws -> Status? where Status.RawValue == String {
        try page.filters["status"].map { raw in
            guard let status = Status(rawValue: raw) else {
                throw ServiceError.invalid("parameter_invalid", "Unknown \(what) '\(raw)'.", param: "status")
            }
            return status
        }
    }
}
