/// Whose data a query may see: one merchant, in one mode. Scoped reads take it as a value, so one cannot be written
/// with a merchant id and forget the mode (or take the mode from another request).
struct TenantScope: Sendable, Hashable {
    let merchantID: String
    let livemode: Bool
}

extension Principal {
    var scope: TenantScope { TenantScope(merchantID: merchantID, livemode: livemode) }
}
