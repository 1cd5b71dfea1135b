import Fluent
import Foundation
import PayHubCore

/// The merchant's checkout settings: the origins allowed to embed its checkout, per mode. A change records
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

    /// Replaces the allowed origins when `allowedOrigins` is given; nil keeps them.
    func update(allowedOrigins: [String]?, principal: Principal) async throws -> CheckoutSettingsRecord {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        let scope = principal.scope
        guard let allowedOrigins else { return try await retrieve(principal: principal) }
        let origins = try Self.origins(allowedOrigins, livemode: scope.livemode)
        let now = context.clock.now()
        let (settings, recorder) = (self.settings, EventRecorder(context: context))
        return try await context.transactor.writeSQL(on: db) { tx in
            // Concurrent changes take turns, so neither is lost.
            try await MerchantRepository().lock(scope, on: tx)
            let current = try await settings.settings(in: scope, on: tx)
            guard current.allowedOrigins != origins || current.updatedAt == nil else { return current }
            let record = CheckoutSettingsRecord(scope: scope, allowedOrigins: origins, updatedAt: now)
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
