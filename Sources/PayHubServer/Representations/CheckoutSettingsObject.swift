import Vapor

/// The checkout settings as the API shows them.
struct CheckoutSettingsObject: Content {
    var object = "checkout_settings"
    var livemode: Bool
    var allowedOrigins: [String]
    @AlwaysEncoded var updated: Int64?

    enum CodingKeys: String, CodingKey {
        case object, livemode, updated
        case allowedOrigins = "allowed_origins"
    }

    init(_ record: CheckoutSettingsRecord) {
        livemode = record.scope.livemode
        allowedOrigins = record.allowedOrigins.map(\.description)
        updated = record.updatedAt.map(Presenter.unix)
    }
}
