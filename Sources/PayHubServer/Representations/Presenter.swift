import Foundation
import PayHubConnectors
import PayHubCore

/// Builds API objects from records.
enum Presenter {
    static func paymentIntent(_ payment: PaymentIntentAggregate, clientToken: String? = nil) -> PaymentIntentObject {
        let record = payment.intent
        let intent = record.intent
        let sorted = payment.attempts.sorted { ($0.attempt.createdAt, $0.id.rawValue) < ($1.attempt.createdAt, $1.id.rawValue) }
        let active = sorted.last { $0.id == intent.activeAttemptID }
        return PaymentIntentObject(
            id: intent.id.rawValue,
            livemode: record.scope.livemode,
            status: intent.status.rawValue,
            amount: intent.amount.minorUnits,
            currency: intent.amount.currency.code,
            amountCapturable: intent.amountCapturable,
            amountReceived: intent.amountReceived,
            amountRefunded: intent.amountRefunded,
            captureMethod: intent.captureMethod.rawValue,
            customerReference: record.customerReference,
            purchaseReference: record.purchaseReference,
            description: record.description,
            metadata: record.metadata,
            customer: record.customer.map { CustomerObject($0) },
            lastPaymentError: intent.lastPaymentError.map(PaymentErrorObject.init),
            cancellationReason: intent.cancellationReason?.rawValue,
            nextAction: intent.status == .requiresAction ? active?.attempt.nextAction.map(NextActionObject.init) : nil,
            payments: sorted.map(paymentAttempt),
            clientToken: clientToken,
            created: unix(intent.createdAt),
            updated: unix(intent.updatedAt)
        )
    }

    static func paymentAttempt(_ record: PaymentAttemptRecord) -> PaymentAttemptObject {
        let attempt = record.attempt
        let method = record.paymentMethod
        return PaymentAttemptObject(
            id: attempt.id.rawValue,
            provider: attempt.provider,
            providerAccount: record.providerAccountID.rawValue,
            paymentMethod: PaymentMethodObject(
                type: method.type, token: method.token, msisdn: method.msisdn, country: method.country, network: method.network),
            status: attempt.status.rawValue,
            providerReference: attempt.providerReference,
            nextAction: attempt.nextAction.map(NextActionObject.init),
            failure: attempt.failure.map(PaymentErrorObject.init),
            returnURL: record.returnURL,
            amountReceived: attempt.amountReceived,
            lateSuccessReversal: attempt.lateSuccessReversal.map(LateSuccessReversalObject.init),
            created: unix(attempt.createdAt)
        )
    }

    static func refund(_ record: RefundRecord) -> RefundObject {
        let refund = record.refund
        return RefundObject(
            id: refund.id.rawValue,
            livemode: record.scope.livemode,
            amount: refund.amount.minorUnits,
            currency: refund.amount.currency.code,
            paymentIntent: refund.paymentIntentID.rawValue,
            status: refund.status.rawValue,
            reason: refund.reason?.rawValue,
            failureReason: refund.failureReason,
            provider: record.provider,
            providerReference: refund.providerReference,
            metadata: record.metadata,
            created: unix(refund.createdAt),
            updated: unix(refund.updatedAt)
        )
    }

    static func unix(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }
}
