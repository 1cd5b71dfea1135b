import Foundation
import PayHubCore

/// Builds API objects from stored rows.
enum Presenter {
    static func paymentIntent(_ model: PaymentIntentModel, attempts: [PaymentAttemptModel], clientToken: String? = nil) -> PaymentIntentObject {
        let sorted = attempts.sorted { ($0.createdAt, $0.id ?? "") < ($1.createdAt, $1.id ?? "") }
        let attemptObjects = sorted.map(paymentAttempt)
        let active = attemptObjects.last { $0.id == model.activeAttemptID }
        return PaymentIntentObject(
            id: model.id ?? "",
            livemode: model.livemode,
            status: model.status,
            amount: model.amount,
            currency: model.currency,
            amountCapturable: model.amountCapturable,
            amountReceived: model.amountReceived,
            amountRefunded: model.amountRefunded,
            captureMethod: model.captureMethod,
            customerReference: model.customerReference,
            purchaseReference: model.purchaseReference,
            description: model.paymentDescription,
            metadata: JSONText.decode([String: String].self, from: model.metadata) ?? [:],
            customer: model.customer.flatMap { JSONText.decode(CustomerObject.self, from: $0) },
            lastPaymentError: model.lastPaymentError.flatMap { JSONText.decode(PaymentFailure.self, from: $0) }.map(PaymentErrorObject.init),
            cancellationReason: model.cancellationReason,
            nextAction: model.status == PaymentIntentStatus.requiresAction.rawValue ? active?.nextAction : nil,
            payments: attemptObjects,
            clientToken: clientToken,
            created: unix(model.createdAt),
            updated: unix(model.updatedAt)
        )
    }

    static func paymentAttempt(_ model: PaymentAttemptModel) -> PaymentAttemptObject {
        // Presenting never fails: a row PayHub cannot read shows its stored status and no details.
        let domain = try? model.domain()
        return PaymentAttemptObject(
            id: model.id ?? "",
            provider: model.provider,
            providerAccount: model.providerAccountID,
            paymentMethod: JSONText.decode(PaymentMethodObject.self, from: model.paymentMethod) ?? PaymentMethodObject(type: model.methodType),
            status: model.status,
            providerReference: model.providerReference,
            nextAction: domain?.nextAction.map(NextActionObject.init),
            failure: domain?.failure.map(PaymentErrorObject.init),
            returnURL: model.returnURL,
            amountReceived: domain?.amountReceived,
            lateSuccessReversal: domain?.lateSuccessReversal.map(LateSuccessReversalObject.init),
            created: unix(model.createdAt)
        )
    }

    static func refund(_ model: RefundModel) -> RefundObject {
        RefundObject(
            id: model.id ?? "",
            livemode: model.livemode,
            amount: model.amount,
            currency: model.currency,
            paymentIntent: model.paymentIntentID,
            status: model.status,
            reason: model.reason,
            failureReason: model.failureReason,
            provider: model.provider,
            providerReference: model.providerReference,
            metadata: JSONText.decode([String: String].self, from: model.metadata) ?? [:],
            created: unix(model.createdAt),
            updated: unix(model.updatedAt)
        )
    }

    static func unix(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }
}
