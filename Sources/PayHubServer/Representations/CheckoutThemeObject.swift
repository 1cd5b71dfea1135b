import PayHubCore
import Vapor

/// The checkout theme as the API shows it.
struct CheckoutThemeObject: Content {
    var object = "checkout_theme"
    var livemode: Bool
    @AlwaysEncoded var pageTitle: String?
    @AlwaysEncoded var logoURL: String?
    @AlwaysEncoded var faviconURL: String?
    @AlwaysEncoded var termsURL: String?
    var primaryColor: String
    var backgroundColor: String
    var textColor: String
    var buttonColor: String
    var buttonTextColor: String
    var font: String
    var cornerRadius: Int
    /// Whether text and button labels meet WCAG AA contrast.
    var readable: Bool
    @AlwaysEncoded var updated: Int64?

    enum CodingKeys: String, CodingKey {
        case object, livemode, font, readable, updated
        case pageTitle = "page_title"
        case logoURL = "logo_url"
        case faviconURL = "favicon_url"
        case termsURL = "terms_url"
        case primaryColor = "primary_color"
        case backgroundColor = "background_color"
        case textColor = "text_color"
        case buttonColor = "button_color"
        case buttonTextColor = "button_text_color"
        case cornerRadius = "corner_radius"
    }

    init(_ record: CheckoutThemeRecord) {
        let theme = record.theme
        livemode = record.scope.livemode
        pageTitle = theme.pageTitle
        logoURL = theme.logoURL
        faviconURL = theme.faviconURL
        termsURL = theme.termsURL
        primaryColor = theme.primaryColor.description
        backgroundColor = theme.backgroundColor.description
        textColor = theme.textColor.description
        buttonColor = theme.buttonColor.description
        buttonTextColor = theme.buttonTextColor.description
        font = theme.font.rawValue
        cornerRadius = theme.cornerRadius
        readable = theme.isReadable
        updated = record.updatedAt.map(Presenter.unix)
    }
}
