import Fluent
import Foundation
import PayHubCore
import SQLKit

/// The merchant's checkout theme: read, and changed field by field. Sessions may override it (`applying`).
struct CheckoutThemeService: Sendable {
    let context: PayHubContext
    let db: any Database
    private let themes = CheckoutThemeRepository()

    func retrieve(principal: Principal) async throws -> CheckoutThemeRecord {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        return try await themes.theme(in: principal.scope, on: context.transactor.reader(db))
    }

    func update(_ changes: CheckoutThemeChanges, principal: Principal) async throws -> CheckoutThemeRecord {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        let now = context.clock.now()
        let scope = principal.scope
        let themes = self.themes
        return try await context.transactor.writeSQL(on: db) { tx in
            // Concurrent changes take turns, so neither is lost.
            try await MerchantRepository().lock(scope, on: tx)
            let current = try await themes.theme(in: scope, on: tx)
            let theme: CheckoutTheme
            do {
                theme = try current.theme.applying(changes)
            } catch let error as ThemeInvalid {
                throw ServiceError.invalid("parameter_invalid", "\(error.field) \(error.reason).", param: error.field)
            }
            let record = CheckoutThemeRecord(scope: scope, theme: theme, updatedAt: now)
            try await themes.save(record, at: now, on: tx)
            return record
        }
    }
}
