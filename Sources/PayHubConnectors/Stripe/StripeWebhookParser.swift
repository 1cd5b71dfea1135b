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

    /// Events whose `data.object` is a Subscription.
    static let subscriptionEvents: Set<String> = [
        "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted",
        "customer.subscription.paused", "customer.subscription.resumed", "customer.subscription.trial_will_end",
    ]
    /// Events whose `data.object` is an Invoice: a subscription's renewal when the invoice has a subscription.
    static let invoiceEvents: Set<String> = [
        "invoice.paid", "invoice.payment_succeeded", "invoice.payment_failed", "invoice.payment_action_required",
    ]

    /// PayHub's public base URL, for the page of an action Stripe gives no URL for.
    var publicBaseURL: String
    /// When the webhook arrived: what a trial's end is compared with.
    var now: Date

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
                let fallback = StripeConnector.authenticationURL(publicBaseURL: publicBaseURL, reference: intent.id)
                return .payment(reference: intent.id, result: try intent.paymentResult(returnURL: nil, fallbackActionURL: fallback))
            }
            if Self.refundEvents.contains(envelope.type) {
                return try refundEvent(decoder.decode(StripeEvent<StripeRefund>.self, from: data).data.object)
            }
            if Self.subscriptionEvents.contains(envelope.type) {
                let subscription = try decoder.decode(StripeEvent<StripeSubscription>.self, from: data).data.object
                return .subscription(reference: subscription.id, result: try subscription.result(now: now))
            }
            if Self.invoiceEvents.contains(envelope.type) {
                let invoice = try decoder.decode(StripeEvent<StripeInvoice>.self, from: data).data.object
                guard let subscription = invoice.subscriptionID, let renewal = try invoice.renewal(fallbackPeriod: nil) else {
                    return .ignored(type: envelope.type)
                }
                return .subscription(reference: subscription, result: invoice.subscriptionResult(subscription: subscription, renewal: renewal))
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
