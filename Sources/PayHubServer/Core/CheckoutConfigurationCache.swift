import NIOConcurrencyHelpers

/// This process's copies of merchants' checkout configurations, by scope (`CheckoutConfigurations` decides when a
/// copy is current). Bounded: past `limit` scopes it starts again empty.
final class CheckoutConfigurationCache: Sendable {
    private let entries = NIOLockedValueBox<[TenantScope: CheckoutConfiguration]>([:])
    let limit: Int

    init(limit: Int = 10_000) {
        self.limit = limit
    }

    subscript(scope: TenantScope) -> CheckoutConfiguration? {
        entries.withLockedValue { $0[scope] }
    }

    /// Keeps `configuration` unless a newer version of its scope is already kept.
    func store(_ configuration: CheckoutConfiguration) {
        entries.withLockedValue { entries in
            if let kept = entries[configuration.scope], kept.version > configuration.version { return }
            if entries[configuration.scope] == nil, entries.count >= limit { entries.removeAll(keepingCapacity: true) }
            entries[configuration.scope] = configuration
        }
    }
}
