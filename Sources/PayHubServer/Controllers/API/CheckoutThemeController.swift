import PayHubCore
import Vapor

/// `/v1/checkout_theme`: the merchant's look of the hosted checkout, in the key's mode.
struct CheckoutThemeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let theme = routes.grouped("checkout_theme")
        theme.get(use: retrieve)
        theme.post(use: update)
    }

    private func service(_ request: Request) -> CheckoutThemeService {
        CheckoutThemeService(context: request.payhub, db: request.db)
    }

    @Sendable func retrieve(_ request: Request) async throws -> Response {
        try CheckoutThemeObject(try await service(request).retrieve(principal: try request.principal)).response()
    }

    @Sendable func update(_ request: Request) async throws -> Response {
        try await request.idempotent {
            let input = try request.decodeStrict(UpdateCheckoutThemeRequest.self)
            return try CheckoutThemeObject(try await service(request).update(input.changes, principal: try request.principal)).response()
        }
    }
}

struct UpdateCheckoutThemeRequest: StrictRequest {
    var pageTitle, logoURL, faviconURL, termsURL: String?
    var primaryColor, backgroundColor, textColor, buttonColor, buttonTextColor: String?
    var font: String?
    var cornerRadius: Int?

    enum CodingKeys: String, CodingKey {
        case font
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

    static let shape: [String: FieldShape] = Dictionary(
        uniqueKeysWithValues: [
            "page_title", "logo_url", "favicon_url", "terms_url", "primary_color", "background_color", "text_color",
            "button_color", "button_text_color", "font", "corner_radius",
        ].map { ($0, FieldShape.value) })

    var changes: CheckoutThemeChanges {
        CheckoutThemeChanges(
            pageTitle: pageTitle, logoURL: logoURL, faviconURL: faviconURL, termsURL: termsURL, primaryColor: primaryColor,
            backgroundColor: backgroundColor, textColor: textColor, buttonColor: buttonColor, buttonTextColor: buttonTextColor,
            font: font, cornerRadius: cornerRadius)
    }
}
