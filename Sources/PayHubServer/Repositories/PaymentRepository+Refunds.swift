import Foundation
import PayHubCore
import SQLKit

/// Refunds: written in the same kind of transaction, under the same intent lock, as the payment path.
extension PaymentRepository {
    private typealias Refunds = RefundModel

    func refund(_ id: RefundID, in scope: TenantScope, on db: any SQLDatabase) async throws -> RefundRecord? {
        try await db.raw(ScopedSelect.byID(id.rawValue, from: Refunds.schema, columns: Refunds.columns, in: scope))
            .first().map { try Refunds(row: $0).record() }
    }

    /// The newest refund that a request with this `Idempotency-Key` created since `since`.
    func refund(createdByIdempotencyKey key: String, in scope: TenantScope, since: Date, on db: any SQLDatabase) async throws -> RefundRecord? {
        try await db.raw(ScopedSelect.createdBy(idempotencyKey: key, from: Refunds.schema, columns: Refunds.columns, in: scope, since: since))
            .first().map { try Refunds(row: $0).record() }
    }

    /// One page of refunds, newest first, optionally of one intent or in one status.
    func refunds(
        in scope: TenantScope, paymentIntent: PaymentIntentID?, status: RefundStatus?, page: PageRequest, on db: any SQLDatabase
    ) async throws -> RecordPage<RefundRecord> {
        var filters: [SQLQueryString] = []
        if let paymentIntent { filters.append("payment_intent_id = \(bind: paymentIntent.rawValue)") }
        if let status { filters.append("status = \(bind: status.rawValue)") }
        let found = try await ScopedPage.rows(from: Refunds.schema, columns: Refunds.columns, in: scope, filters: filters, page: page, on: db)
        return RecordPage(items: try found.rows.map { try Refunds(row: $0).record() }, hasMore: found.hasMore)
    }

    /// The refunds of an intent still waiting for their provider, oldest first.
    func pendingRefunds(of intentID: PaymentIntentID, in scope: TenantScope, on db: any SQLDatabase) async throws -> [RefundRecord] {
        try await db.raw("""
            SELECT \(unsafeRaw: Refunds.columns) FROM refunds WHERE payment_intent_id = \(bind: intentID.rawValue) \
            AND merchant_id = \(bind: scope.merchantID) AND livemode = \(bind: scope.livemode) \
            AND status = \(bind: RefundStatus.pending.rawValue) ORDER BY created_at, id
            """).all().map { try Refunds(row: $0).record() }
    }

    /// The refund a provider knows by `reference`, on this account (and so in the account's scope).
    func refund(providerReference reference: String, of account: ProviderAccountRecord, on db: any SQLDatabase) async throws -> RefundRecord? {
        try await db.raw("""
            SELECT \(unsafeRaw: Refunds.columns) FROM refunds \
            WHERE provider = \(bind: account.provider) AND provider_reference = \(bind: reference) \
            AND provider_account_id = \(bind: account.id.rawValue) \
            AND merchant_id = \(bind: account.scope.merchantID) AND livemode = \(bind: account.scope.livemode) LIMIT 1
            """).first().map { try Refunds(row: $0).record() }
    }

    /// Locks the refund's intent until the transaction ends, then loads both.
    func lockRefund(
        _ id: RefundID, in scope: TenantScope, on tx: any SQLDatabase
    ) async throws -> (refund: RefundRecord, intent: PaymentIntentRecord)? {
        guard let unlocked = try await refund(id, in: scope, on: tx),
              let intent = try await lock(unlocked.paymentIntentID, in: scope, withAttempts: false, on: tx)?.intent,
              let refund = try await refund(id, in: scope, on: tx)
        else { return nil }
        return (refund, intent)
    }

    func insert(_ refund: RefundRecord, on tx: any SQLDatabase) async throws {
        try await Refunds(refund).insert(on: tx)
    }

    /// Saves what `RefundMachine` and the status check change on a refund.
    func saveState(_ refund: RefundRecord, on tx: any SQLDatabase) async throws {
        try await Refunds(refund).saveState(on: tx)
    }
}
