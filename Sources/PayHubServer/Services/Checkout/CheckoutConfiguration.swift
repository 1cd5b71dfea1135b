import FluentKit
import Foundation
import PayHubCore
import SQLKit

/// What every checkout page of one merchant's mode shows alike: the merchant's name, its theme, its rules, what its
/// provider accounts offer, and the origins allowed to frame its pages, as of one version of them.
struct CheckoutConfiguration: Sendable {
    var scope: TenantScope
    /// The `checkout_configuration_versions` number these were read at (or after).
    var version: Int64
    var merchantName: String
    var theme: CheckoutTheme
    var rules: CheckoutRuleSet
    var capabilities: [MethodCapability]
    /// The providers whose cards these pages can take (`OfferedMethods.cardEntryProviders`).
    var cardEntryProviders: Set<String>
    var frameAncestors: [String]
    /// The language the pages fall back to (`CheckoutSettingsRecord.defaultLocale`).
    var defaultLocale: CustomerLocale = .en
}

/// Reads a scope's checkout configuration, from this process's cache when the cached copy is current.
///
/// Current means: its version is the one stored now. Every change to a theme, a rule, a provider account or the
/// checkout settings bumps that version in the transaction of the change, so each page reads the version (one
/// primary-key look-up) and a page that starts after a change committed, in any process, sees the change. On a
/// miss the version is read first and the rest after it, so what is cached is at least as new as its version says
/// (a change committed in between only makes the next page read again).
struct CheckoutConfigurations: Sendable {
    let context: PayHubContext
    let db: any Database

    private var reader: any SQLDatabase { context.transactor.reader(db) }

    /// The scope's configuration; nil when the merchant does not exist.
    func current(in scope: TenantScope) async throws -> CheckoutConfiguration? {
        let version = try await CheckoutConfigurationVersionRepository().version(in: scope, on: reader)
        if let cached = context.checkoutConfigurations[scope], cached.version == version { return cached }
        guard let loaded = try await load(scope, version: version) else { return nil }
        context.checkoutConfigurations.store(loaded)
        return loaded
    }

    private func load(_ scope: TenantScope, version: Int64) async throws -> CheckoutConfiguration? {
        let reader = self.reader
        guard let merchant = try await MerchantRepository().find(try MerchantID(parsing: scope.merchantID), on: reader) else { return nil }
        let theme = try await CheckoutThemeRepository().theme(in: scope, on: reader).theme
        let rules = try await CheckoutRuleRepository().active(in: scope, on: reader)
        let offered = OfferedMethods(context: context)
        let capabilities = try await offered.capabilities(in: scope, on: reader)
        let cardEntryProviders = try await offered.cardEntryProviders(in: scope, on: reader)
        let settings = try await CheckoutSettingsRepository().settings(in: scope, on: reader)
        return CheckoutConfiguration(
            scope: scope, version: version, merchantName: merchant.name, theme: theme, rules: CheckoutRuleSet(rules.map(\.rule)),
            capabilities: capabilities, cardEntryProviders: cardEntryProviders, frameAncestors: settings.allowedOrigins.map(\.description),
            defaultLocale: settings.defaultLocale)
    }
}
