import Fluent
import Foundation
import PayHubCore

/// The merchant's checkout settings, per mode: the origins allowed to embed its checkout and the language its
/// customer pages fall back to. A change records
/// `checkout_settings.updated` in the same transaction; setting the same list again changes nothing.
struct CheckoutSettingsService: Sendable {
    static let originLimit = 20

    let context: PayHubContext
    let db: any Database
    private let settings = CheckoutSettingsRepository()

    init(context: PayHubContext, db: any Database) {
        self.context = context
        self.db = db
    }

    func retrieve(principal: Principal) async throws -> CheckoutSettingsRecord {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        return try await settings.settings(in: principal.scope, on: context.transactor.reader(db))
    }

    /// Replaces the allowed origins when `allowedOrigins` is given, and the default language when `defaultLocale`
    /// is; nil keeps what is there.
    func update(allowedOrigins: [String]?, defaultLocale: String? = nil, principal: Principal) async throws -> CheckoutSettingsRecord {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        let scope = principal.scope
        guard allowedOrigins != nil || defaultLocale != nil else { return try await retrieve(principal: principal) }
        let origins = try allowedOrigins.map { try Self.origins($0, livemode: scope.livemode) }
        let locale = try defaultLocale.map(Self.locale)
        let now = context.clock.now()
        let (settings, recorder) = (self.settings, EventRecorder(context: context))
        return try await context.transactor.writeSQL(on: db) { tx in
            // Concurrent changes take turns, so neither is lost.
            try await MerchantRepository().lock(scope, on: tx)
            let current = try await settings.settings(in: scope, on: tx)
            var record = current
            record.allowedOrigins = origins ?? current.allowedOrigins
            record.defaultLocale = locale ?? current.defaultLocale
            guard record != current || current.updatedAt == nil else { return current }
            record.updatedAt = now
            try await settings.save(record, at: now, on: tx)
            try await recorder.record(
                [.checkoutSettingsUpdated], object: CheckoutSettingsObject(record), objectID: scope.merchantID,
                merchantID: scope.merchantID, livemode: scope.livemode, on: tx)
            return record
        }
    }

    /// The origins allowed to embed this scope's checkout, normalised (`https://shop.example`): what the hosted
    /// pages put in `frame-ancestors`. Empty by default.
    func allowedOrigins(in scope: TenantScope) async throws -> [String] {
        try await settings.settings(in: scope, on: context.transactor.reader(db)).allowedOrigins.map(\.description)
    }

    /// One of the languages PayHub's customer pages speak, by its code.
    static func locale(_ code: String) throws -> CustomerLocale {
        guard let locale = CustomerLocale(rawValue: code) else {
            throw ServiceError.invalid(
                "parameter_invalid", "default_locale must be one of: " + CustomerLocale.allCases.map(\.rawValue).joined(separator: ", ") + ".",
                param: "default_locale")
        }
        return locale
    }

    /// Parses and normalises the list, naming the first bad element; duplicates (after normalising) count once.
    static func origins(_ raw: [String], livemode: Bool) throws -> [EmbeddingOrigin] {
        guard raw.count <= originLimit else {
            throw ServiceError.invalid(
                "parameter_invalid", "allowed_origins can have at most \(originLimit) origins.", param: "allowed_origins")
        }
        var origins: [EmbeddingOrigin] = []
        for (index, text) in raw.enumerated() {
            let origin: EmbeddingOrigin
            do {
                origin = try EmbeddingOrigin(parsing: text, livemode: livemode)
            } catch let invalid as EmbeddingOriginInvalid {
                throw ServiceError.invalid("origin_invalid", "allowed_origins.\(index) \(invalid.reason).", param: "allowed_origins.\(index)")
            }
            if !origins.contains(origin) { origins.append(origin) }
        }
        return origins
    }
}
