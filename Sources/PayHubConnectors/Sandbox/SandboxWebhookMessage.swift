import Foundation
import PayHubCore

/// The JSON body of a sandbox provider webhook.
struct SandboxWebhookMessage: Codable {
    struct Failure: Codable {
        var code: String
        var declineCode: String?
        var message: String

        enum CodingKeys: String, CodingKey {
            case code, message
            case declineCode = "decline_code"
        }
    }

    var type: String
    var reference: String
    var status: String
    var failure: Failure?
    var failureReason: String?

    enum CodingKeys: String, CodingKey {
        case type, reference, status, failure
        case failureReason = "failure_reason"
    }

    init(event: ProviderWebhookEvent) {
        switch event {
        case .payment(let reference, let result):
            type = "payment.updated"
            self.reference = reference
            switch result.outcome {
            case .succeeded: status = "succeeded"
            case .requiresCapture: status = "requires_capture"
            case .requiresAction: status = "requires_action"
            case .processing: status = "processing"
            case .canceled: status = "canceled"
            case .failed(let failure):
                status = "failed"
                self.failure = Failure(code: failure.code, declineCode: failure.declineCode, message: failure.message)
            }
        case .refund(let reference, let result):
            type = "refund.updated"
            self.reference = reference
            switch result.outcome {
            case .pending: status = "pending"
            case .succeeded: status = "succeeded"
            case .canceled: status = "canceled"
            case .failed(let reason):
                status = "failed"
                failureReason = reason
            }
        case .subscription(let reference, let result):
            // The sandbox runs no subscriptions of its own (its renewals are PayHub's); the type reads back as ignored.
            type = "subscription.updated"
            self.reference = reference
            status = result.status.rawValue
        case .ignored(let type):
            self.type = type
            reference = ""
            status = ""
        }
    }

    func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array((try? encoder.encode(self)) ?? Data())
    }

    func event() throws -> ProviderWebhookEvent {
        switch type {
        case "payment.updated":
            let outcome: ProviderOutcome
            switch status {
            case "succeeded": outcome = .succeeded
            case "requires_capture": outcome = .requiresCapture
            case "processing": outcome = .processing
            case "canceled": outcome = .canceled
            case "failed":
                outcome = .failed(PaymentFailure(
                    kind: .cardError, code: failure?.code ?? "payment_declined", declineCode: failure?.declineCode,
                    message: failure?.message ?? "The payment failed."))
            default: throw ConnectorError.invalidResponse("unknown sandbox payment status '\(status)'")
            }
            return .payment(reference: reference, result: ConnectorPaymentResult(providerReference: reference, outcome: outcome))
        case "refund.updated":
            let outcome: RefundOutcome
            switch status {
            case "pending": outcome = .pending
            case "succeeded": outcome = .succeeded
            case "canceled": outcome = .canceled
            case "failed": outcome = .failed(reason: failureReason ?? "declined")
            default: throw ConnectorError.invalidResponse("unknown sandbox refund status '\(status)'")
            }
            return .refund(reference: reference, result: ConnectorRefundResult(providerReference: reference, outcome: outcome))
        default:
            return .ignored(type: type)
        }
    }
}
