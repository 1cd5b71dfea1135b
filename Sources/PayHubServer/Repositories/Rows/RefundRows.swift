import Foundation
import SQLKit

/// Refund rows in plain SQL, for `PaymentRepository`.
extension RefundModel {
    static let columns = """
        id, merchant_id, livemode, payment_intent_id, attempt_id, provider, provider_account_id, amount, currency, \
        status, reason, failure_reason, provider_reference, metadata, created_at, updated_at, \
        idempotency_key, next_check_at, check_count
        """

    convenience init(row: any SQLRow) throws {
        self.init()
        id = try row.decode(column: "id", as: String.self)
        merchantID = try row.decode(column: "merchant_id", as: String.self)
        livemode = try row.decode(column: "livemode", as: Bool.self)
        paymentIntentID = try row.decode(column: "payment_intent_id", as: String.self)
        attemptID = try row.decode(column: "attempt_id", as: String.self)
        provider = try row.decode(column: "provider", as: String.self)
        providerAccountID = try row.decode(column: "provider_account_id", as: String.self)
        amount = try row.decode(column: "amount", as: Int64.self)
        currency = try row.decode(column: "currency", as: String.self)
        status = try row.decode(column: "status", as: String.self)
        reason = try row.optional("reason")
        failureReason = try row.optional("failure_reason")
        providerReference = try row.optional("provider_reference")
        metadata = try row.decode(column: "metadata", as: String.self)
        createdAt = try row.decode(column: "created_at", as: Date.self)
        updatedAt = try row.decode(column: "updated_at", as: Date.self)
        idempotencyKey = try row.optional("idempotency_key")
        nextCheckAt = try row.optional("next_check_at")
        checkCount = try row.decode(column: "check_count", as: Int.self)
    }

    func insert(on db: any SQLDatabase) async throws {
        let values: [any Encodable & Sendable] = [
            id, merchantID, livemode, paymentIntentID, attemptID, provider, providerAccountID, amount, currency,
            status, reason, failureReason, providerReference, metadata, createdAt, updatedAt,
            idempotencyKey, nextCheckAt, checkCount,
        ]
        try await db.raw("INSERT INTO refunds (\(unsafeRaw: Self.columns)) VALUES (\(binds: values))").run()
    }

    /// Saves what `RefundMachine` and the status check may change.
    func saveState(on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE refunds SET status = \(bind: status), failure_reason = \(bind: failureReason), \
            provider_reference = \(bind: providerReference), updated_at = \(bind: updatedAt), \
            next_check_at = \(bind: nextCheckAt), check_count = \(bind: checkCount) \
            WHERE id = \(bind: id) AND merchant_id = \(bind: merchantID) AND livemode = \(bind: livemode)
            """).run()
    }
}
