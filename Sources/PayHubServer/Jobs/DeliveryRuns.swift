import NIOConcurrencyHelpers
import PayHubCore

/// The endpoints whose delivery job this process is running now. While a run is under way its job's row exists,
/// and a run only ends by a transaction that looks again for owed deliveries (or leaves the row behind), so an event
/// transaction that finds a run here need not check the row. Used on SQLite only, where write transactions take
/// turns: on PostgreSQL an ending run and an event transaction can overlap, and the event takes a lock instead.
final class DeliveryRuns: Sendable {
    private let running = NIOLockedValueBox<[WebhookEndpointID: Int]>([:])

    func begin(_ endpoint: WebhookEndpointID) {
        running.withLockedValue { $0[endpoint, default: 0] += 1 }
    }

    func end(_ endpoint: WebhookEndpointID) {
        running.withLockedValue { runs in
            let left = (runs[endpoint] ?? 1) - 1
            runs[endpoint] = left > 0 ? left : nil
        }
    }

    func isRunning(_ endpoint: WebhookEndpointID) -> Bool {
        running.withLockedValue { $0[endpoint] != nil }
    }
}
