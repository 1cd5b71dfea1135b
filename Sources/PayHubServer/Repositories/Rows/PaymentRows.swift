import Foundation
import SQLKit

/// Payment intent and attempt rows in plain SQL, for `PaymentRepository`: no Fluent reflection on the payment path.
extension PaymentIntentModel {
    static let columns = """
        id, merchant_id, livemode, status, amount, currency, capture_method, amount_capturable, amount_received, \
        amount_refunded, amount_refund_pending, active_attempt_id, last_payment_error, cancellation_reason, \
        customer_reference, purchase_reference, description, metadata, customer, created_at, updated_at, idempotency_key
        """

    convenience init(row: any SQLRow) throws {
        self.init()
        id = try row.decode(column: "id", as: String.self)
        merchantID = try row.decode(column: "merchant_id", as: String.self)
        livemode = try row.decode(column: "livemode", as: Bool.self)
        status = try row.decode(column: "status", as: String.self)
        amount = try row.decode(column: "amount", as: Int64.self)
        currency = try row.decode(column: "currency", as: String.self)
        captureMethod = try row.decode(column: "capture_method", as: String.self)
        amountCapturable = try row.decode(column: "amount_capturable", as: Int64.self)
        amountReceived = try row.decode(column: "amount_received", as: Int64.self)
        amountRefunded = try row.decode(column: "amount_refunded", as: Int64.self)
        amountRefundPending = try row.decode(column: "amount_refund_pending", as: Int64.self)
        activeAttemptID = try row.optional("active_attempt_id")
        lastPaymentError = try row.optional("last_payment_error")
        cancellationReason = try row.optional("cancellation_reason")
        customerReference = try row.optional("customer_reference")
        purchaseReference = try row.optional("purchase_reference")
        paymentDescription = try row.optional("description")
        metadata = try row.decode(column: "metadata", as: String.self)
        customer = try row.optional("customer")
        createdAt = try row.decode(column: "created_at", as: Date.self)
        updatedAt = try row.decode(column: "updated_at", as: Date.self)
        idempotencyKey = try row.optional("idempotency_key")
    }

    func insert(on db: any SQLDatabase) async throws {
        let values: [any Encodable & Sendable] = [
            id, merchantID, livemode, status, amount, currency, captureMethod, amountCapturable, amountReceived,
            amountRefunded, amountRefundPending, activeAttemptID, lastPaymentError, cancellationReason,
            customerReference, purchaseReference, paymentDescription, metadata, customer, createdAt, updatedAt, idempotencyKey,
        ]
        try await db.raw("INSERT INTO payment_intents (\(unsafeRaw: Self.columns)) VALUES (\(binds: values))").run()
    }

    /// Saves what `PaymentMachine` may change.
    func saveState(on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE payment_intents SET status = \(bind: status), amount_capturable = \(bind: amountCapturable), \
            amount_received = \(bind: amountReceived), amount_refunded = \(bind: amountRefunded), \
            amount_refund_pending = \(bind: amountRefundPending), active_attempt_id = \(bind: activeAttemptID), \
            last_payment_error = \(bind: lastPaymentError), cancellation_reason = \(bind: cancellationReason), \
            updated_at = \(bind: updatedAt) \
            WHERE id = \(bind: id) AND merchant_id = \(bind: merchantID) AND livemode = \(bind: livemode)
            """).run()
    }
}

extension PaymentAttemptModel {
    static let columns = """
        id, payment_intent_id, merchant_id, livemode, provider, provider_account_id, method_type, payment_method, \
        status, provider_reference, next_action, failure, return_url, created_at, updated_at, \
        idempotency_key, next_check_at, check_count, amount_received, late_success_reversal, late_success_reversal_reason, \
        late_success_reversal_reference
        """

    convenience init(row: any SQLRow) throws {
        self.init()
        id = try row.decode(column: "id", as: String.self)
        paymentIntentID = try row.decode(column: "payment_intent_id", as: String.self)
        merchantID = try row.decode(column: "merchant_id", as: String.self)
        livemode = try row.decode(column: "livemode", as: Bool.self)
        provider = try row.decode(column: "provider", as: String.self)
        providerAccountID = try row.decode(column: "provider_account_id", as: String.self)
        methodType = try row.decode(column: "method_type", as: String.self)
        paymentMethod = try row.decode(column: "payment_method", as: String.self)
        status = try row.decode(column: "status", as: String.self)
        providerReference = try row.optional("provider_reference")
        nextAction = try row.optional("next_action")
        failure = try row.optional("failure")
        returnURL = try row.optional("return_url")
        createdAt = try row.decode(column: "created_at", as: Date.self)
        updatedAt = try row.decode(column: "updated_at", as: Date.self)
        idempotencyKey = try row.optional("idempotency_key")
        nextCheckAt = try row.optional("next_check_at")
        checkCount = try row.decode(column: "check_count", as: Int.self)
        amountReceived = try row.optional("amount_received")
        lateSuccessReversal = try row.optional("late_success_reversal")
        lateSuccessReversalReason = try row.optional("late_success_reversal_reason")
        lateSuccessReversalReference = try row.optional("late_success_reversal_reference")
    }

    func insert(on db: any SQLDatabase) async throws {
        let values: [any Encodable & Sendable] = [
            id, paymentIntentID, merchantID, livemode, provider, providerAccountID, methodType, paymentMethod,
            status, providerReference, nextAction, failure, returnURL, createdAt, updatedAt, idempotencyKey,
            nextCheckAt, checkCount, amountReceived, lateSuccessReversal, lateSuccessReversalReason, lateSuccessReversalReference,
        ]
        try await db.raw("INSERT INTO payment_attempts (\(unsafeRaw: Self.columns)) VALUES (\(binds: values))").run()
    }

    /// Saves what `PaymentMachine` may change.
    func saveState(on db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE payment_attempts SET status = \(bind: status), provider_reference = \(bind: providerReference), \
            next_action = \(bind: nextAction), failure = \(bind: failure), updated_at = \(bind: updatedAt), \
            next_check_at = \(bind: nextCheckAt), check_count = \(bind: checkCount), amount_received = \(bind: amountReceived), \
            late_success_reversal = \(bind: lateSuccessReversal), late_success_reversal_reason = \(bind: lateSuccessReversalReason) \
            WHERE id = \(bind: id) AND merchant_id = \(bind: merchantID) AND livemode = \(bind: livemode)
            """).run()
    }
}
