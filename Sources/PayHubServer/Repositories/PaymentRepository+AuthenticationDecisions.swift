import Foundation
import PayHubCore
import SQLKit

/// The customer's one decision per attempt on an authentication page (`authentication_decisions`).
extension PaymentRepository {
    /// Records the decision; false if one was recorded before.
    func claimDecision(approved: Bool, for attemptID: PaymentAttemptID, at now: Date, on tx: any SQLDatabase) async throws -> Bool {
        let decision = approved ? "approve" : "fail"
        return try await tx.raw("""
            INSERT INTO authentication_decisions (payment_attempt_id, decision, decided_at) \
            VALUES (\(bind: attemptID.rawValue), \(bind: decision), \(bind: now)) \
            ON CONFLICT (payment_attempt_id) DO NOTHING RETURNING payment_attempt_id
            """).all().count == 1
    }

    /// Forgets a decision whose effect could not be applied, so the customer may try again.
    func releaseDecision(for attemptID: PaymentAttemptID, on tx: any SQLDatabase) async throws {
        try await tx.raw("DELETE FROM authentication_decisions WHERE payment_attempt_id = \(bind: attemptID.rawValue)").run()
    }
}
