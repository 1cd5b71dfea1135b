import Vapor

/// The checkout settings as the API shows them.
struct CheckoutSettingsObject: Content {
    var object = "checkout_settings"
    var livemode: Bool
    var allowedOrigins: [String]
    var defaultLocale: String
    @AlwaysEncoded var updated: Int64?

    enum CodingKeys: String, CodingKey {
        case object, livemode, updated
        case allowedOrigins = "allowed_origins"
        case defaultLocale = "default_locale"
    }

    init(_ record: CheckoutSettingsRecord) {
        livemode = record.scope.livemode
        allowedOrigins = record.allowedOrigins.map(\.description)
        defaultLocale = record.defaultLocale.rawValue
        updated = record.updatedAt.map(Presenter.unix)
    }
}
