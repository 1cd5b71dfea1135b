import Foundation
import SQLKit

extension WebhookEndpointModel {
    /// Disables an endpoint (deleting it too, when `deleted`) and cancels what it was still owed; their delivery
    /// jobs then find nothing to do. The one way an endpoint stops receiving: a 410 from it, or its deletion.
    static func disable(_ endpointID: String, reason: String, deleted: Bool = false, now: Date, on tx: any SQLDatabase) async throws {
        let deletedAt: Date? = deleted ? now : nil
        try await tx.raw("""
            UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = \(bind: reason), \
            deleted_at = COALESCE(\(bind: deletedAt), deleted_at), updated_at = \(bind: now) WHERE id = \(bind: endpointID)
            """).run()
        try await tx.raw("""
            UPDATE webhook_deliveries SET status = 'canceled', updated_at = \(bind: now) \
            WHERE endpoint_id = \(bind: endpointID) AND status = 'pending'
            """).run()
    }
}
