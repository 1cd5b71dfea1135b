import NIOConcurrencyHelpers

/// What to do once the current write transaction has committed, such as waking the webhook worker for the
/// deliveries it wrote: done earlier, the worker could look before the rows are visible, and then sleep.
final class AfterCommit: Sendable {
    @TaskLocal static var current: AfterCommit?

    private let actions = NIOLockedValueBox<[@Sendable () -> Void]>([])

    /// Runs `action` after the enclosing transaction commits (never, if it rolls back); at once outside one.
    static func run(_ action: @escaping @Sendable () -> Void) {
        guard let current else { return action() }
        current.actions.withLockedValue { $0.append(action) }
    }

    /// Runs `body` with this collector current, then its actions if `body` succeeded.
    static func collecting<T>(_ body: (AfterCommit) async throws -> T) async throws -> T {
        let collector = AfterCommit()
        let result = try await body(collector)
        for action in collector.actions.withLockedValue({ $0 }) { action() }
        return result
    }

    func scope<T>(_ body: () async throws -> T) async rethrows -> T {
        try await Self.$current.withValue(self) { try await body() }
    }
}
