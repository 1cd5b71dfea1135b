import Foundation
import PayHubCore

/// A merchant's checkout theme in one mode; `updatedAt` is nil while the merchant keeps PayHub's standard look.
struct CheckoutThemeRecord: Sendable, Equatable {
    var scope: TenantScope
    var theme: CheckoutTheme
    var updatedAt: Date?
}

/// The theme as stored: every value as the merchant set it, applied over the standard theme when read.
struct StoredCheckoutTheme: Codable, Equatable {
    var pageTitle, logoURL, faviconURL, termsURL: String?
    var primaryColor, backgroundColor, textColor, buttonColor, buttonTextColor: String
    var font: String
    var cornerRadius: Int

    init(_ theme: CheckoutTheme) {
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
    }

    var changes: CheckoutThemeChanges {
        CheckoutThemeChanges(
            pageTitle: pageTitle ?? "", logoURL: logoURL ?? "", faviconURL: faviconURL ?? "", termsURL: termsURL ?? "",
            primaryColor: primaryColor, backgroundColor: backgroundColor, textColor: textColor, buttonColor: buttonColor,
            buttonTextColor: buttonTextColor, font: font, cornerRadius: cornerRadius)
    }
}
