import Foundation
import SQLKit

/// Whose data a query may see: one merchant, in one mode. Scoped reads take it as a value, so one cannot be written
/// with a merchant id and forget the mode (or take the mode from another request).
struct TenantScope: Sendable, Hashable {
    let merchantID: String
    let livemode: Bool
}

extension Principal {
    var scope: TenantScope { TenantScope(merchantID: merchantID, livemode: livemode) }
}

/// The two scoped look-ups every aggregate with an `Idempotency-Key` column shares.
enum ScopedSelect {
    /// The row with this id, if it belongs to the scope.
    static func byID(_ id: String, from table: String, columns: String, in scope: TenantScope) -> SQLQueryString {
        """
        SELECT \(unsafeRaw: columns) FROM \(ident: table) \
        WHERE id = \(bind: id) AND merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode)
        """
    }

    /// The newest row that a request with this `Idempotency-Key` created since `since`.
    static func createdBy(idempotencyKey key: String, from table: String, columns: String, in scope: TenantScope, since: Date) -> SQLQueryString {
        """
        SELECT \(unsafeRaw: columns) FROM \(ident: table) \
        WHERE merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode) AND idempotency_key = \(bind: key) \
        AND created_at > \(bind: since) ORDER BY created_at DESC LIMIT 1
        """
    }
}
