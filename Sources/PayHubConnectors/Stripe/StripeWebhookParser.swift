import Foundation

/// Reads a verified Stripe event (https://docs.stripe.com/api/events/types) as PayHub sees it.
struct StripeWebhookParser {
    static let paymentEvents: Set<String> = [
        "payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled",
        "payment_intent.requires_action", "payment_intent.processing", "payment_intent.amount_capturable_updated",
    ]
    /// Events whose `data.object` is a Refund.
    static let refundEvents: Set<String> = [
        "refund.created", "refund.updated", "refund.failed", "charge.refund.updated",
    ]

    /// PayHub's public base URL, for the page of an action Stripe gives no URL for.
    var publicBaseURL: String

    func event(from body: [UInt8]) throws -> ProviderWebhookEvent {
        let data = Data(body)
        let decoder = JSONDecoder()
        let envelope: StripeEventEnvelope
        do {
            envelope = try decoder.decode(StripeEventEnvelope.self, from: data)
        } catch {
            throw ConnectorError.invalidResponse("Stripe webhook body is not a Stripe event")
        }
        do {
            if Self.paymentEvents.contains(envelope.type) {
                let intent = try decoder.decode(StripeEvent<StripePaymentIntent>.self, from: data).data.object
                let outcome = try intent.outcome(returnURL: nil, fallbackActionURL: StripeConnector.authenticationURL(publicBaseURL: publicBaseURL, reference: intent.id))
                return .payment(
                    reference: intent.id, result: ConnectorPaymentResult(providerReference: intent.id, outcome: outcome, amounts: intent.amounts))
            }
            if Self.refundEvents.contains(envelope.type) {
                return try refundEvent(decoder.decode(StripeEvent<StripeRefund>.self, from: data).data.object)
            }
            if envelope.type == "charge.refunded" {
                // Refunds are listed newest first; newer API versions leave the list out.
                let charge = try decoder.decode(StripeEvent<StripeCharge>.self, from: data).data.object
                guard let refund = charge.refunds.first else { return .ignored(type: envelope.type) }
                return try refundEvent(refund)
            }
        } catch let error as ConnectorError {
            throw error
        } catch {
            throw ConnectorError.invalidResponse("Stripe event \(envelope.id) of type \(envelope.type) could not be read")
        }
        return .ignored(type: envelope.type)
    }

    private func refundEvent(_ refund: StripeRefund) throws -> ProviderWebhookEvent {
        .refund(reference: refund.id, result: ConnectorRefundResult(providerReference: refund.id, outcome: try refund.outcome()))
    }
}
