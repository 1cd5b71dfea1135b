import Foundation
import PayHubCore

/// A merchant's checkout settings in one mode; `updatedAt` is nil until the merchant first sets them.
struct CheckoutSettingsRecord: Sendable, Equatable {
    var scope: TenantScope
    /// The origins allowed to embed the checkout (`payhub.js`, `frame-ancestors`), in the merchant's order.
    var allowedOrigins: [EmbeddingOrigin]
    /// The language of the merchant's customer pages when neither the session nor the browser names one PayHub
    /// speaks.
    var defaultLocale: CustomerLocale = .en
    var updatedAt: Date?
}
