import Foundation
import PayHubCore
import SQLKit

/// The notifications a payment link sends through the notification outbox.
enum PaymentLinkNotifications {
    enum Kind: Sendable {
        /// The link itself (`payment_link`).
        case link
        /// Its one reminder before it expires (`payment_link_reminder`).
        case reminder
    }

    /// Inside the caller's transaction: queues the notification, which leaves once the transaction commits.
    static func enqueue(
        _ kind: Kind, of record: PaymentLinkRecord, to recipient: String, via channel: PaymentLinkChannel, context: PayHubContext,
        on tx: any SQLDatabase
    ) async throws {
        // Wired to the notification outbox (branch `notify`) when it is merged.
        throw ServiceError.conflict("notifications_unavailable", "Sending payment links is not available in this build.")
    }
}
