import Foundation
import PayHubCore
import Vapor

/// The invoice settings as the API shows them (the logo by its type, size and digest: its bytes are not echoed).
struct InvoiceSettingsObject: Content {
    struct Address: Content, Equatable {
        var lines: [String]
        var city: String
        @AlwaysEncoded var postalCode: String?
        @AlwaysEncoded var region: String?
        var country: String

        enum CodingKeys: String, CodingKey {
            case lines, city, region, country
            case postalCode = "postal_code"
        }
    }

    struct Rate: Content, Equatable {
        var basisPoints: Int64
        var category: String
        @AlwaysEncoded var exemptionReason: String?

        enum CodingKeys: String, CodingKey {
            case category
            case basisPoints = "basis_points"
            case exemptionReason = "exemption_reason"
        }

        init(_ rate: VATRate) {
            basisPoints = rate.basisPoints
            category = rate.category.rawValue
            exemptionReason = rate.exemptionReason
        }
    }

    struct Electronic: Content, Equatable {
        var scheme: String
        var identifier: String
    }

    struct Logo: Content, Equatable {
        var mediaType: String
        var size: Int
        var sha256: String

        enum CodingKeys: String, CodingKey {
            case size, sha256
            case mediaType = "media_type"
        }
    }

    var object = "invoice_settings"
    var livemode: Bool
    var legalName: String
    @AlwaysEncoded var address: Address?
    @AlwaysEncoded var vatID: String?
    @AlwaysEncoded var taxCode: String?
    @AlwaysEncoded var email: String?
    @AlwaysEncoded var phone: String?
    @AlwaysEncoded var logo: Logo?
    @AlwaysEncoded var numberPrefix: String?
    var creditNotePrefix: String
    var defaultVATRate: Rate
    var timeZone: String
    @AlwaysEncoded var electronicAddress: Electronic?
    @AlwaysEncoded var fiscalRegime: String?
    var defaultLocale: String
    @AlwaysEncoded var updated: Int64?

    enum CodingKeys: String, CodingKey {
        case object, livemode, address, email, phone, logo, updated
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

    init(_ record: InvoiceSettingsRecord) {
        let settings = record.settings
        livemode = record.scope.livemode
        legalName = settings.legalName
        address = settings.address.map {
            Address(lines: $0.lines, city: $0.city, postalCode: $0.postalCode, region: $0.region, country: $0.countryCode)
        }
        vatID = settings.vatID
        taxCode = settings.taxCode
        email = settings.email
        phone = settings.phone
        logo = record.logo.map { Logo(mediaType: $0.mediaType.rawValue, size: $0.bytes.count, sha256: DocumentDigest.sha256($0.bytes)) }
        numberPrefix = settings.numberPrefix
        creditNotePrefix = settings.creditNotePrefix
        defaultVATRate = Rate(settings.defaultVATRate)
        timeZone = settings.timeZone
        electronicAddress = settings.electronicAddress.map { Electronic(scheme: $0.scheme, identifier: $0.identifier) }
        fiscalRegime = settings.fiscalRegime
        defaultLocale = settings.defaultLocale.rawValue
        updated = record.updatedAt.map(Presenter.unix)
    }
}
