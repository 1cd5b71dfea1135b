import Foundation
import PayHubCore
import PayHubDocuments

/// `PUT /v1/invoice_settings`: the whole settings (what is left out is cleared, or takes its default).
struct UpdateInvoiceSettingsRequest: StrictRequest {
    struct Address: Codable, Sendable {
        var lines: [String]?
        var city: String
        var postalCode: String?
        var region: String?
        var country: String

        enum CodingKeys: String, CodingKey {
            case lines, city, region, country
            case postalCode = "postal_code"
        }
    }

    struct Rate: Codable, Sendable {
        var basisPoints: Int64
        var category: String?
        var exemptionReason: String?

        enum CodingKeys: String, CodingKey {
            case category
            case basisPoints = "basis_points"
            case exemptionReason = "exemption_reason"
        }
    }

    struct Electronic: Codable, Sendable {
        var scheme: String
        var identifier: String
    }

    var legalName: String
    var address: Address?
    var vatID: String?
    var taxCode: String?
    var email: String?
    var phone: String?
    /// Base64 of a PNG or JPEG.
    var logo: String?
    var numberPrefix: String?
    var creditNotePrefix: String?
    var defaultVATRate: Rate?
    var timeZone: String?
    var electronicAddress: Electronic?
    var fiscalRegime: String?
    var defaultLocale: String?

    enum CodingKeys: String, CodingKey {
        case address, email, phone, logo
        case legalName = "legal_name"
        case vatID = "vat_id"
        case taxCode = "tax_code"
        case numberPrefix = "number_prefix"
        case creditNotePrefix = "credit_note_prefix"
        case defaultVATRate = "default_vat_rate"
        case timeZone = "time_zone"
        case electronicAddress = "electronic_address"
        case fiscalRegime = "fiscal_regime"
        case defaultLocale = "default_locale"
    }

    static let shape: [String: FieldShape] = [
        "legal_name": .value,
        "address": .object(["lines": .array(.value), "city": .value, "postal_code": .value, "region": .value, "country": .value]),
        "vat_id": .value, "tax_code": .value, "email": .value, "phone": .value, "logo": .value, "number_prefix": .value,
        "credit_note_prefix": .value,
        "default_vat_rate": .object(["basis_points": .value, "category": .value, "exemption_reason": .value]),
        "time_zone": .value,
        "electronic_address": .object(["scheme": .value, "identifier": .value]),
        "fiscal_regime": .value, "default_locale": .value,
    ]
}

/// The rules of invoice settings: every text is bounded and free of control characters (no line break can reach
/// a PDF or an XML attribute), identifiers have their formats, the logo is a PNG or JPEG by its first bytes.
enum InvoiceSettingsRules {
    static let logoLimit = 32 * 1024
    static let textLimit = 200
    static let addressLineLimit = 3

    static func settings(_ input: UpdateInvoiceSettingsRequest) throws -> (InvoiceSettings, InvoiceLogo?) {
        let prefix = try input.numberPrefix.map { try Self.prefix($0, param: "number_prefix") }
        let creditPrefix = try input.creditNotePrefix.map { try Self.prefix($0, param: "credit_note_prefix") }
            ?? InvoiceSettings.defaultCreditNotePrefix
        guard prefix?.uppercased() != creditPrefix.uppercased() else {
            throw ServiceError.invalid("parameter_invalid", "credit_note_prefix must differ from number_prefix.", param: "credit_note_prefix")
        }
        let settings = InvoiceSettings(
            legalName: try text(input.legalName, param: "legal_name"),
            address: try input.address.map(address),
            vatID: try input.vatID.map { try pattern($0, /[A-Z]{2}[A-Z0-9+*.]{2,13}/, upper: true, param: "vat_id", what: "a VAT id with its country prefix, such as IT01234567890") },
            taxCode: try input.taxCode.map { try pattern($0, /[A-Z0-9]{1,20}/, upper: true, param: "tax_code", what: "1 to 20 letters and digits") },
            email: try input.email.map { raw in
                guard raw.count <= 254, raw.wholeMatch(of: /[^@\s<>",]+@[^@\s<>",]+\.[^@\s<>",]+/) != nil, !hasControl(raw) else {
                    throw ServiceError.invalid("email_invalid", "email is not an email address.", param: "email")
                }
                return raw
            },
            phone: try input.phone.map { try pattern($0, /\+?[0-9 ]{6,20}/, upper: false, param: "phone", what: "a phone number, such as +39 02 1234567") },
            numberPrefix: prefix, creditNotePrefix: creditPrefix,
            defaultVATRate: try rate(input.defaultVATRate),
            timeZone: try zone(input.timeZone ?? "UTC"),
            electronicAddress: try input.electronicAddress.map { electronic in
                ElectronicAddress(
                    scheme: try pattern(electronic.scheme, /[0-9]{4}|EM/, upper: true, param: "electronic_address.scheme", what: "an EAS code, such as 0211 or EM"),
                    identifier: try text(electronic.identifier, param: "electronic_address.identifier", limit: 100))
            },
            fiscalRegime: try input.fiscalRegime.map { try pattern($0, /RF[0-9]{2}/, upper: true, param: "fiscal_regime", what: "a FatturaPA RegimeFiscale, RF01 to RF19") },
            defaultLocale: try locale(input.defaultLocale))
        return (settings, try input.logo.map(logo))
    }

    static func prefix(_ raw: String, param: String) throws -> String {
        guard raw.wholeMatch(of: /[A-Za-z0-9]{1,10}/) != nil else {
            throw ServiceError.invalid("parameter_invalid", "\(param) is 1 to 10 letters (A-Z) and digits.", param: param)
        }
        return raw
    }

    static func text(_ raw: String, param: String, limit: Int = textLimit) throws -> String {
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= limit, !hasControl(trimmed) else {
            throw ServiceError.invalid("parameter_invalid", "\(param) is 1 to \(limit) characters, without control characters.", param: param)
        }
        return trimmed
    }

    static func hasControl(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format || $0 == "\u{2028}" || $0 == "\u{2029}" }
    }

    private static func pattern(_ raw: String, _ regex: some RegexComponent, upper: Bool, param: String, what: String) throws -> String {
        let value = upper ? raw.uppercased() : raw
        guard value.wholeMatch(of: regex) != nil else {
            throw ServiceError.invalid("parameter_invalid", "\(param) must be \(what).", param: param)
        }
        return value
    }

    private static func address(_ input: UpdateInvoiceSettingsRequest.Address) throws -> PostalAddress {
        let lines = input.lines ?? []
        guard lines.count <= addressLineLimit else {
            throw ServiceError.invalid("parameter_invalid", "address.lines has at most \(addressLineLimit) lines.", param: "address.lines")
        }
        return PostalAddress(
            lines: try lines.enumerated().map { try text($1, param: "address.lines.\($0)", limit: 100) },
            city: try text(input.city, param: "address.city", limit: 100),
            postalCode: try input.postalCode.map { try pattern($0, /[A-Z0-9 -]{2,12}/, upper: true, param: "address.postal_code", what: "2 to 12 letters, digits, spaces or hyphens") },
            region: try input.region.map { try text($0, param: "address.region", limit: 50) },
            countryCode: try pattern(input.country, /[A-Z]{2}/, upper: true, param: "address.country", what: "an ISO 3166-1 alpha-2 code, such as IT"))
    }

    private static func rate(_ input: UpdateInvoiceSettingsRequest.Rate?) throws -> VATRate {
        guard let input else { return InvoiceSettings.fallback(merchantName: "").defaultVATRate }
        guard let category = VATRate.Category(rawValue: input.category ?? "S") else {
            throw ServiceError.invalid(
                "parameter_invalid", "default_vat_rate.category is one of S, Z, E, AE, O.", param: "default_vat_rate.category")
        }
        let reason = try input.exemptionReason.map { try text($0, param: "default_vat_rate.exemption_reason") }
        do {
            return try VATRate(basisPoints: input.basisPoints, category: category, exemptionReason: reason)
        } catch {
            throw ServiceError.invalid("parameter_invalid", String(describing: error), param: "default_vat_rate")
        }
    }

    private static func zone(_ raw: String) throws -> String {
        guard raw.count <= 64, raw.wholeMatch(of: /[A-Za-z0-9_+\/-]+/) != nil, TimeZone(identifier: raw) != nil else {
            throw ServiceError.invalid("parameter_invalid", "time_zone must be an IANA time zone, such as Europe/Rome.", param: "time_zone")
        }
        return raw
    }

    private static func locale(_ raw: String?) throws -> CustomerLocale {
        guard let raw else { return .en }
        guard let locale = CustomerLocale(rawValue: raw) else {
            throw ServiceError.invalid("parameter_invalid", "default_locale is one of en, it, fr, de, es.", param: "default_locale")
        }
        return locale
    }

    /// A PNG or a JPEG, by its first bytes (whatever it is called), of at most `logoLimit` bytes.
    static func logo(_ base64: String) throws -> InvoiceLogo {
        let refused = ServiceError.invalid(
            "logo_invalid", "logo must be a base64 PNG or JPEG of at most \(logoLimit / 1024) KiB.", param: "logo")
        guard base64.utf8.count <= (logoLimit / 3 + 1) * 4 + 4, let data = Data(base64Encoded: base64), data.count <= logoLimit else { throw refused }
        let bytes = Array(data)
        let logo: InvoiceLogo
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            logo = InvoiceLogo(mediaType: .png, bytes: bytes)
        } else if bytes.count > 3, bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            logo = InvoiceLogo(mediaType: .jpeg, bytes: bytes)
        } else {
            throw refused
        }
        // Refused now, when it is uploaded, rather than when an invoice is rendered: one the PDF cannot draw.
        do {
            try InvoicePDFRenderer.checkLogo(logo)
        } catch {
            throw ServiceError.invalid("logo_invalid", error.message, param: "logo")
        }
        return logo
    }
}
