/// JSON fixtures shaped like the examples of Stripe's API reference (PaymentIntent, Refund, Event and error
/// objects, https://docs.stripe.com/api), with the fields varied per test.
enum StripeFixtures {
    static let paymentIntentID = "pi_3MtwBwLkdIwHu7ix28a3tqPa"
    static let refundID = "re_1Nispe2eZvKYlo2Cd31jOCgZ"
    static let redirectURL = "https://hooks.stripe.com/redirect/authenticate/src_1OMDllJgUVsS8tQckVRhADpX?client_secret=src_client_secret_fn9YOVVemvj4wrzUgUn44wgu"

    /// The PaymentIntent object of the API reference, with its status and the fields that go with it.
    static func paymentIntent(
        id: String = paymentIntentID, status: String, captureMethod: String = "automatic", amount: Int = 2000,
        amountReceived: Int? = nil, nextAction: String = "null", lastPaymentError: String = "null"
    ) -> String {
        """
        {
          "id": "\(id)",
          "object": "payment_intent",
          "amount": \(amount),
          "amount_capturable": \(status == "requires_capture" ? amount : 0),
          "amount_details": {"tip": {}},
          "amount_received": \(amountReceived ?? (status == "succeeded" ? amount : 0)),
          "application": null,
          "application_fee_amount": null,
          "automatic_payment_methods": null,
          "canceled_at": \(status == "canceled" ? "1680801000" : "null"),
          "cancellation_reason": null,
          "capture_method": "\(captureMethod)",
          "client_secret": "\(id)_secret_YrKJUKribcBjcG8HVhfZluoGH",
          "confirmation_method": "automatic",
          "created": 1680800504,
          "currency": "eur",
          "customer": null,
          "description": "Order 1234",
          "invoice": null,
          "last_payment_error": \(lastPaymentError),
          "latest_charge": "ch_3MtwBwLkdIwHu7ix28ScT4Vt",
          "livemode": false,
          "metadata": {"payhub_attempt_id": "py_attempt1", "payhub_payment_intent_id": "pi_payhub1"},
          "next_action": \(nextAction),
          "on_behalf_of": null,
          "payment_method": "pm_1MtwBwLkdIwHu7ixLmtFLnDN",
          "payment_method_options": {"card": {"installments": null, "mandate_options": null, "network": null, "request_three_d_secure": "automatic"}},
          "payment_method_types": ["card"],
          "processing": null,
          "receipt_email": null,
          "review": null,
          "setup_future_usage": null,
          "shipping": null,
          "source": null,
          "statement_descriptor": null,
          "statement_descriptor_suffix": null,
          "status": "\(status)",
          "transfer_data": null,
          "transfer_group": null
        }
        """
    }

    static let redirectNextAction = """
        {"type": "redirect_to_url", "redirect_to_url": {"return_url": "https://shop.example/return", "url": "\(redirectURL)"}}
        """

    /// What Stripe sends when no `return_url` was given, and what localstripe always sends.
    static let stripeSDKNextAction = """
        {"type": "use_stripe_sdk", "use_stripe_sdk": {"type": "three_d_secure_redirect", "stripe_js": "https://hooks.stripe.com/3d_secure_2/hosted?merchant=acct_1", "source": "src_1"}}
        """

    static let declineLastPaymentError = """
        {"charge": "ch_3MtwBwLkdIwHu7ix28ScT4Vt", "code": "card_declined", "decline_code": "insufficient_funds",
         "doc_url": "https://stripe.com/docs/error-codes/card-declined", "message": "Your card has insufficient funds.",
         "payment_method": {"id": "pm_1MtwBwLkdIwHu7ixLmtFLnDN", "object": "payment_method", "type": "card"},
         "type": "card_error"}
        """

    static let authenticationFailureLastPaymentError = """
        {"code": "payment_intent_authentication_failure",
         "doc_url": "https://stripe.com/docs/error-codes/payment-intent-authentication-failure",
         "message": "The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.",
         "type": "invalid_request_error"}
        """

    /// The Refund object of the API reference.
    static func refund(id: String = refundID, status: String, amount: Int = 1000, failureReason: String? = nil) -> String {
        """
        {
          "id": "\(id)",
          "object": "refund",
          "amount": \(amount),
          "balance_transaction": "txn_1Nispe2eZvKYlo2CYezqFhEx",
          "charge": "ch_1NirD82eZvKYlo2CIvbtLWuY",
          "created": 1692942318,
          "currency": "eur",
          "destination_details": {"card": {"reference": "123456789012", "reference_status": "available", "reference_type": "acquirer_reference_number", "type": "refund"}, "type": "card"},
          "failure_reason": \(failureReason.map { "\"\($0)\"" } ?? "null"),
          "metadata": {"payhub_refund_id": "re_payhub1"},
          "payment_intent": "\(paymentIntentID)",
          "reason": null,
          "receipt_number": null,
          "source_transfer_reversal": null,
          "status": "\(status)",
          "transfer_reversal": null
        }
        """
    }

    /// A card error as Stripe answers a declined confirmation (HTTP 402), with the intent it left behind.
    static let cardDeclinedError = """
        {
          "error": {
            "charge": "ch_3MtwBwLkdIwHu7ix28ScT4Vt",
            "code": "card_declined",
            "decline_code": "insufficient_funds",
            "doc_url": "https://stripe.com/docs/error-codes/card-declined",
            "message": "Your card has insufficient funds.",
            "payment_intent": \(paymentIntent(status: "requires_payment_method", lastPaymentError: declineLastPaymentError)),
            "request_log_url": "https://dashboard.stripe.com/test/logs/req_4ahRwdMGeDZuVA?t=1680800504",
            "type": "card_error"
          }
        }
        """

    /// localstripe's decline: HTTP 402, no decline code, no intent, and `invalid_request_error` as its type.
    static let localstripeDeclinedError = """
        {"error": {"charge": "ch_ee07KQ991Ix4Y1", "code": "card_declined", "message": "Your card was declined.", "type": "invalid_request_error"}}
        """

    static let resourceMissingError = """
        {"error": {"code": "resource_missing", "doc_url": "https://stripe.com/docs/error-codes/resource-missing",
         "message": "No such payment_intent: 'pi_3MtwBwLkdIwHu7ix28a3tqPa'", "param": "intent",
         "request_log_url": "https://dashboard.stripe.com/test/logs/req_1", "type": "invalid_request_error"}}
        """

    static let parameterInvalidError = """
        {"error": {"code": "parameter_invalid_integer", "doc_url": "https://stripe.com/docs/error-codes/parameter-invalid-integer",
         "message": "Invalid integer: abc", "param": "amount", "type": "invalid_request_error"}}
        """

    static let idempotencyError = """
        {"error": {"message": "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than 'k1' if you meant to execute a different request.", "type": "idempotency_error"}}
        """

    static let unexpectedStateError = """
        {"error": {"code": "payment_intent_unexpected_state", "doc_url": "https://stripe.com/docs/error-codes/payment-intent-unexpected-state",
         "message": "This PaymentIntent could not be captured because it has a status of succeeded. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.",
         "type": "invalid_request_error"}}
        """

    static let authenticationError = """
        {"error": {"message": "Invalid API Key provided: sk_test_****1234", "type": "invalid_request_error"}}
        """

    static let permissionError = """
        {"error": {"code": "secret_key_required", "message": "This API call cannot be made with a publishable API key.", "type": "invalid_request_error"}}
        """

    static let rateLimitError = """
        {"error": {"code": "rate_limit", "message": "Too many requests hit the API too quickly.", "type": "invalid_request_error"}}
        """

    static let apiError = """
        {"error": {"message": "An unknown error occurred", "type": "api_error"}}
        """

    /// An Event object of the API reference around `object`.
    static func event(type: String, object: String, id: String = "evt_1NG8Du2eZvKYlo2CUI79vXWy") -> String {
        """
        {
          "id": "\(id)",
          "object": "event",
          "api_version": "2024-06-20",
          "created": 1686089970,
          "data": {"object": \(object), "previous_attributes": {}},
          "livemode": false,
          "pending_webhooks": 1,
          "request": {"id": "req_dVXrvSLH4Okb2D", "idempotency_key": "py_attempt1"},
          "type": "\(type)"
        }
        """
    }

    /// A Charge with its refunds list, as `charge.refunded` carried it before API version 2022-11-15.
    static func refundedCharge(refunds: [String]) -> String {
        """
        {
          "id": "ch_3MtwBwLkdIwHu7ix28ScT4Vt",
          "object": "charge",
          "amount": 2000,
          "amount_captured": 2000,
          "amount_refunded": 2000,
          "captured": true,
          "currency": "eur",
          "paid": true,
          "payment_intent": "\(paymentIntentID)",
          "refunded": true,
          "refunds": {"object": "list", "data": [\(refunds.joined(separator: ","))], "has_more": false,
                      "url": "/v1/charges/ch_3MtwBwLkdIwHu7ix28ScT4Vt/refunds"},
          "status": "succeeded"
        }
        """
    }
}
