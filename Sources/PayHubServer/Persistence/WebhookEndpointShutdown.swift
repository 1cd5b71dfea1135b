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
        // The deliveries' table is the event repository's; this write moves there with it.
        try await tx.raw("""
            UPDATE webhook_deliveries SET status = 'canceled', updated_at = \(bind: now) \
            WHERE endpoint_id = \(bind: id.rawValue) AND status = 'pending'
            """).run()
    }
}

extension WebhookEndpointModel {
    /// The delivery worker's entry point (a 410 from the endpoint), which knows the endpoint by id only.
    static func disable(_ endpointID: String, reason: String, deleted: Bool = false, now: Date, on tx: any SQLDatabase) async throws {
        let id = try WebhookEndpointID(parsing: endpointID)
        guard let scope = try await WebhookEndpointRepository().scope(of: id, for: .deliveryWorker, on: tx) else { return }
        try await WebhookEndpointShutdown.disable(id, reason: reason, deleted: deleted, in: scope, now: now, on: tx)
    }
}
