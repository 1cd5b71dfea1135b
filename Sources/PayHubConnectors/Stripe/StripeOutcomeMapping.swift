import PayHubCore

extension StripePaymentIntent {
    /// PayHub's view of the intent. `returnURL` is where the customer comes back after a redirect;
    /// `fallbackActionURL` is used when Stripe asks for customer action without a browser URL (`use_stripe_sdk`,
    /// which real Stripe sends when no `return_url` was given and localstripe always sends).
    func outcome(returnURL: String?, fallbackActionURL: String) throws -> ProviderOutcome {
        switch status {
        case "succeeded":
            return .succeeded
        case "requires_capture":
            return .requiresCapture
        case "processing":
            return .processing
        case "canceled":
            return .canceled
        case "requires_action":
            let redirect = nextAction?.redirectToURL
            if let url = redirect?.url, !url.isEmpty {
                return .requiresAction(.redirectToURL(url: url, returnURL: redirect?.returnURL ?? returnURL))
            }
            return .requiresAction(.redirectToURL(url: fallbackActionURL, returnURL: returnURL))
        case "requires_payment_method":
            // A confirmed intent back in requires_payment_method is a failed attempt.
            return .failed(lastPaymentError?.paymentFailure(forcingCardError: false) ?? Self.unexplainedFailure)
        default:
            // requires_confirmation never follows PayHub's confirm=true; anything else is new to PayHub.
            throw ConnectorError.invalidResponse("Stripe payment intent in unexpected status '\(status)'")
        }
    }

    /// The attempt's result: its outcome, amounts and, for a payment that saved its method, the saved method.
    func paymentResult(returnURL: String?, fallbackActionURL: String) throws -> ConnectorPaymentResult {
        let outcome = try outcome(returnURL: returnURL, fallbackActionURL: fallbackActionURL)
        let authorised = outcome == .succeeded || outcome == .requiresCapture
        return ConnectorPaymentResult(
            providerReference: id, outcome: outcome, amounts: amounts, savedMethod: authorised ? savedMethod : nil)
    }

    /// The method a payment with `setup_future_usage=off_session` saved on its customer. localstripe keeps no
    /// `setup_future_usage`: PayHub's metadata marks such a payment too.
    var savedMethod: SavedPaymentMethod? {
        guard setupFutureUsage == "off_session" || metadata?[StripeSaving.metadataKey] == "true",
              let customer = customer?.id, let method = paymentMethod?.id
        else { return nil }
        return SavedPaymentMethod(
            customerReference: customer, methodReference: method, type: paymentMethod?.object?.type ?? "card",
            display: paymentMethod?.object?.display)
    }

    /// What Stripe says it captured and may still capture (both in the intent's minor units, as PayHub's).
    var amounts: ProviderAmounts {
        ProviderAmounts(
            received: StripeAmount.minorUnits(ofStripe: amountReceived, currencyCode: currency),
            capturable: StripeAmount.minorUnits(ofStripe: amountCapturable, currencyCode: currency))
    }

    static let unexplainedFailure = PaymentFailure(
        kind: .cardError, code: "payment_failed", declineCode: nil,
        message: "Stripe did not accept the payment method.")
}

extension StripeErrorObject {
    /// The failure an attempt reports. A 402 answer is a decline whatever its `type` says (localstripe calls its
    /// declines `invalid_request_error`); a failed 3-D Secure is the customer's card refusing too.
    func paymentFailure(forcingCardError: Bool) -> PaymentFailure {
        let kind: PaymentFailure.Kind
        if forcingCardError || type == nil || type == "card_error" || code == "payment_intent_authentication_failure" {
            kind = .cardError
        } else if type == "api_error" {
            kind = .apiError
        } else {
            kind = .invalidRequestError
        }
        return PaymentFailure(
            kind: kind, code: code ?? (kind == .cardError ? "card_declined" : type ?? "payment_failed"),
            declineCode: declineCode, message: message ?? "Stripe declined the payment.")
    }
}

extension StripeRefund {
    func outcome() throws -> RefundOutcome {
        switch status {
        case "pending", "requires_action": .pending
        case "succeeded": .succeeded
        case "failed": .failed(reason: failureReason ?? "failed")
        case "canceled": .canceled
        default: throw ConnectorError.invalidResponse("Stripe refund in unexpected status '\(status ?? "none")'")
        }
    }
}
