import Foundation

/// How a merchant's checkout looks. Every value is validated and kept typed, so none reaches a page's CSS or HTML
/// as raw input: colours are `#rrggbb`, fonts come from a list of system stacks (no remote fonts), images are
/// https URLs.
public struct CheckoutTheme: Equatable, Sendable {
    public var pageTitle: String?
    public var logoURL: String?
    public var faviconURL: String?
    public var termsURL: String?
    public var primaryColor: ThemeColor
    public var backgroundColor: ThemeColor
    public var textColor: ThemeColor
    public var buttonColor: ThemeColor
    public var buttonTextColor: ThemeColor
    public var font: ThemeFont
    /// Corner radius in pixels, 0 to 24.
    public var cornerRadius: Int

    public static let radiusRange = 0...24

    /// PayHub's own look, which meets WCAG AA contrast (text 4.5:1) on its own.
    public static let standard = CheckoutTheme(
        pageTitle: nil, logoURL: nil, faviconURL: nil, termsURL: nil,
        primaryColor: ThemeColor(red: 0x0A, green: 0x5C, blue: 0xD6), backgroundColor: ThemeColor(red: 0xF4, green: 0xF5, blue: 0xF7),
        textColor: ThemeColor(red: 0x1F, green: 0x23, blue: 0x28), buttonColor: ThemeColor(red: 0x0A, green: 0x5C, blue: 0xD6),
        buttonTextColor: ThemeColor(red: 0xFF, green: 0xFF, blue: 0xFF), font: .system, cornerRadius: 8)

    public init(
        pageTitle: String?, logoURL: String?, faviconURL: String?, termsURL: String?, primaryColor: ThemeColor,
        backgroundColor: ThemeColor, textColor: ThemeColor, buttonColor: ThemeColor, buttonTextColor: ThemeColor,
        font: ThemeFont, cornerRadius: Int
    ) {
        self.pageTitle = pageTitle
        self.logoURL = logoURL
        self.faviconURL = faviconURL
        self.termsURL = termsURL
        self.primaryColor = primaryColor
        self.backgroundColor = backgroundColor
        self.textColor = textColor
        self.buttonColor = buttonColor
        self.buttonTextColor = buttonTextColor
        self.font = font
        self.cornerRadius = cornerRadius
    }

    /// The theme with a session's (or a merchant's) changes applied over it; each change is validated.
    public func applying(_ changes: CheckoutThemeChanges) throws(ThemeInvalid) -> CheckoutTheme {
        var theme = self
        if let title = changes.pageTitle { theme.pageTitle = try Self.text(title, max: 80, field: "page_title") }
        if let url = changes.logoURL { theme.logoURL = try Self.httpsURL(url, field: "logo_url") }
        if let url = changes.faviconURL { theme.faviconURL = try Self.httpsURL(url, field: "favicon_url") }
        if let url = changes.termsURL { theme.termsURL = try Self.httpsURL(url, field: "terms_url") }
        if let value = changes.primaryColor { theme.primaryColor = try ThemeColor.parse(value, field: "primary_color") }
        if let value = changes.backgroundColor { theme.backgroundColor = try ThemeColor.parse(value, field: "background_color") }
        if let value = changes.textColor { theme.textColor = try ThemeColor.parse(value, field: "text_color") }
        if let value = changes.buttonColor { theme.buttonColor = try ThemeColor.parse(value, field: "button_color") }
        if let value = changes.buttonTextColor { theme.buttonTextColor = try ThemeColor.parse(value, field: "button_text_color") }
        if let value = changes.font {
            guard let font = ThemeFont(rawValue: value) else {
                throw ThemeInvalid(field: "font", reason: "must be one of \(ThemeFont.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            theme.font = font
        }
        if let radius = changes.cornerRadius {
            guard Self.radiusRange.contains(radius) else { throw ThemeInvalid(field: "corner_radius", reason: "must be 0 to 24 pixels") }
            theme.cornerRadius = radius
        }
        return theme
    }

    /// Whether the text and the button's label are readable (WCAG AA for normal text: 4.5:1).
    public var isReadable: Bool {
        textColor.contrast(with: backgroundColor) >= 4.5 && buttonTextColor.contrast(with: buttonColor) >= 4.5
    }

    static func text(_ value: String, max: Int, field: String) throws(ThemeInvalid) -> String? {
        guard !value.isEmpty else { return nil }
        guard value.count <= max, !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ThemeInvalid(field: field, reason: "must be at most \(max) characters, without control characters")
        }
        return value
    }

    static func httpsURL(_ value: String, field: String) throws(ThemeInvalid) -> String? {
        guard !value.isEmpty else { return nil }
        guard value.count <= 2048, let components = URLComponents(string: value), components.scheme?.lowercased() == "https",
              let host = components.host, !host.isEmpty, components.user == nil, components.password == nil,
              !value.contains(where: { $0 == "\"" || $0 == "'" || $0 == "<" || $0 == ">" || $0 == "\\" || $0.isWhitespace })
        else { throw ThemeInvalid(field: field, reason: "must be an absolute https URL") }
        return value
    }
}

/// What a merchant (or a session) changes in a theme; nil leaves a value as it is, "" clears an optional one.
public struct CheckoutThemeChanges: Equatable, Sendable, Codable {
    public var pageTitle, logoURL, faviconURL, termsURL: String?
    public var primaryColor, backgroundColor, textColor, buttonColor, buttonTextColor: String?
    public var font: String?
    public var cornerRadius: Int?

    public init(
        pageTitle: String? = nil, logoURL: String? = nil, faviconURL: String? = nil, termsURL: String? = nil,
        primaryColor: String? = nil, backgroundColor: String? = nil, textColor: String? = nil, buttonColor: String? = nil,
        buttonTextColor: String? = nil, font: String? = nil, cornerRadius: Int? = nil
    ) {
        self.pageTitle = pageTitle
        self.logoURL = logoURL
        self.faviconURL = faviconURL
        self.termsURL = termsURL
        self.primaryColor = primaryColor
        self.backgroundColor = backgroundColor
        self.textColor = textColor
        self.buttonColor = buttonColor
        self.buttonTextColor = buttonTextColor
        self.font = font
        self.cornerRadius = cornerRadius
    }

    /// The API's field names, which sessions' overrides are stored under too.
    public enum CodingKeys: String, CodingKey, CaseIterable {
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
}

/// A colour as `#rrggbb`: parsed from `#rgb` or `#rrggbb`, written back only in that form.
public struct ThemeColor: Equatable, Sendable, CustomStringConvertible {
    public var red, green, blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    public static func parse(_ value: String, field: String) throws(ThemeInvalid) -> ThemeColor {
        let hex = Array(value.utf8)
        guard hex.first == UInt8(ascii: "#"), hex.count == 4 || hex.count == 7,
              hex.dropFirst().allSatisfy({ Self.nibble($0) != nil })
        else { throw ThemeInvalid(field: field, reason: "must be a colour such as #0a5cd6 or #fff") }
        let digits = hex.dropFirst().compactMap(Self.nibble)
        if digits.count == 3 { return ThemeColor(red: digits[0] * 17, green: digits[1] * 17, blue: digits[2] * 17) }
        return ThemeColor(red: digits[0] << 4 | digits[1], green: digits[2] << 4 | digits[3], blue: digits[4] << 4 | digits[5])
    }

    public var description: String {
        "#" + [red, green, blue].map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }

    /// WCAG 2 contrast ratio, 1 to 21.
    public func contrast(with other: ThemeColor) -> Double {
        let (a, b) = (luminance, other.luminance)
        return (max(a, b) + 0.05) / (min(a, b) + 0.05)
    }

    var luminance: Double {
        func channel(_ value: UInt8) -> Double {
            let c = Double(value) / 255
            return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Font stacks installed on the customer's device: no remote font is ever loaded.
public enum ThemeFont: String, CaseIterable, Sendable {
    case system, serif, rounded, monospace

    public var stack: String {
        switch self {
        case .system: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
        case .serif: "Georgia, 'Times New Roman', serif"
        case .rounded: "ui-rounded, 'SF Pro Rounded', 'Segoe UI', sans-serif"
        case .monospace: "ui-monospace, 'SF Mono', Menlo, Consolas, monospace"
        }
    }
}

/// A theme value refused, naming its field.
public struct ThemeInvalid: Error, Equatable, Sendable, CustomStringConvertible {
    public var field: String
    public var reason: String
    public var description: String { "\(field) \(reason)." }
}
