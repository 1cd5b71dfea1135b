import Foundation
import PayHubCore
import SQLKit

/// The one way an endpoint stops receiving (its deletion, or a 410 from it): it is disabled and what it was still
/// owed is canceled, in the caller's transaction; the deliveries' jobs then find nothing to do.
enum WebhookEndpointShutdown {
    static func disable(
        _ id: WebhookEndpointID, reason: String, deleted: Bool = false, in scope: TenantScope, now: Date, on tx: any SQLDatabase
    ) async throws {
        try await WebhookEndpointRepository().disable(id, reason: reason, deleted: deleted, in: scope, now: now, on: tx)
        try await EventRepository().cancelPendingDeliveries(to: id, in: scope, at: now, on: tx)
    }
}
