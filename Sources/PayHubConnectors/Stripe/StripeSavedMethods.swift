import Foundation
import PayHubCore

/// What a payment that saves its method adds to its PaymentIntent
/// (https://docs.stripe.com/payments/save-during-payment): the Customer it is saved on and
/// `setup_future_usage=off_session`, which makes Stripe attach the method to the customer once it succeeds.
struct StripeSaving: Sendable {
    /// PayHub's mark on a saving payment, for emulators that keep no `setup_future_usage`.
    static let metadataKey = "payhub_save_for_off_session"

    var customerID: String

    func add(to form: inout StripeForm, metadata: inout [String: String], emulator: StripeEmulator?) {
        form.add("customer", customerID)
        // localstripe rejects `setup_future_usage`; the method was attached beforehand instead.
        if emulator == nil { form.add("setup_future_usage", "off_session") }
        // The card's brand and last digits, for `SavedPaymentMethod.display`.
        form.add("expand[]", "payment_method")
        metadata[Self.metadataKey] = "true"
    }
}

extension StripeConnector {
    /// Creates the Customer a saving payment keeps its method on. Its idempotency key derives from the
    /// payment's, so a retried payment reuses the customer.
    func prepareSaving(
        _ request: ConnectorPaymentRequest, method: inout PaymentMethodData, credentials: StripeCredentials
    ) async throws -> StripeSaving {
        var form = StripeForm()
        form.add("name", request.customer?.name)
        form.add("email", request.customer?.email)
        form.add("phone", request.customer?.phone)
        if let locale = request.customer?.locale, Self.isStripeLocale(locale) { form.add("preferred_locales[0]", locale) }
        form.add("metadata", dictionary: ["payhub_payment_intent_id": request.paymentIntentID.rawValue])
        let customer: StripeObjectID = try await api.post(
            "/v1/customers", form: form, idempotencyKey: request.idempotencyKey + ":customer", credentials: credentials)

        if credentials.emulator == .localstripe, let token = method.token, Self.isStripeID(token, prefixes: ["pm_"]) {
            // localstripe ignores `setup_future_usage`: the method is attached before the payment, and the
            // attached method (a new one for Stripe's test ids like `pm_card_visa`) is the one paid with.
            var attach = StripeForm()
            attach.add("customer", customer.id)
            let attached: StripePaymentMethod = try await api.post(
                "/v1/payment_methods/\(token)/attach", form: attach, credentials: credentials)
            method.token = attached.id
        } else if credentials.emulator == .localstripe, let token = method.token, Self.isStripeID(token, prefixes: ["tok_"]) {
            // localstripe attaches a token's card to the customer as a source; that card is then the method.
            var attach = StripeForm()
            attach.add("source", token)
            let card: StripeObjectID = try await api.post(
                "/v1/customers/\(customer.id)/sources", form: attach, credentials: credentials)
            method.token = card.id
        }
        return StripeSaving(customerID: customer.id)
    }

    /// A payment on a saved method without the customer (https://docs.stripe.com/payments/save-during-payment#charge-saved-payment-method):
    /// `customer`, `payment_method`, `off_session=true`, `confirm=true`. A card that needs its holder
    /// (`authentication_required`) or declines is a failed attempt with Stripe's codes.
    func chargeOffSession(
        _ request: ConnectorPaymentRequest, method saved: SavedPaymentMethod, credentials: StripeCredentials,
        context: ConnectorContext
    ) async throws -> ConnectorPaymentResult {
        let card = try Self.savedCard(saved)
        var form = try Self.confirmedIntentForm(request)
        form.add("off_session", "true")
        form.add("customer", card.customer)
        form.add("payment_method", card.method)
        if credentials.emulator == nil { form.add("description", request.description) }
        form.add("metadata", dictionary: Self.metadata(of: request))

        let intent: StripePaymentIntent
        do {
            intent = try await api.post(
                "/v1/payment_intents", form: form, idempotencyKey: request.idempotencyKey, credentials: credentials)
        } catch let decline as StripeCardDecline {
            return Self.declined(decline)
        }
        let result = try result(intent, returnURL: nil, context: context)
        guard case .requiresAction = result.outcome else { return result }
        // Stripe answers an off-session payment that needs authentication with a 402 `authentication_required`;
        // localstripe asks for the authentication instead. Nobody can give it: the intent is canceled so it can
        // never be completed later, and the attempt fails as on Stripe.
        _ = try? await api.post(try Self.paymentIntentPath(intent.id) + "/cancel", form: StripeForm(), credentials: credentials) as StripePaymentIntent
        return ConnectorPaymentResult(providerReference: intent.id, outcome: .failed(Self.authenticationRequired), amounts: intent.amounts)
    }

    /// The customer and PaymentMethod of a saved card, checked before either goes into a request.
    static func savedCard(_ saved: SavedPaymentMethod) throws -> (customer: String, method: String) {
        guard saved.type == "card" else {
            throw ConnectorError.invalidRequest(
                code: "payment_method_unsupported", message: "Stripe on PayHub saves cards only.", param: "payment_method.type")
        }
        guard let customer = saved.customerReference, isStripeID(customer, prefixes: ["cus_"]) else {
            throw ConnectorError.invalidRequest(
                code: "invalid_saved_method", message: "A saved Stripe card needs its customer (cus_...).", param: "customer")
        }
        guard isStripeID(saved.methodReference, prefixes: ["pm_", "card_", "src_"]) else {
            throw ConnectorError.invalidRequest(
                code: "invalid_saved_method", message: "A saved Stripe card is a PaymentMethod (pm_...).", param: "payment_method")
        }
        return (customer, saved.methodReference)
    }

    static let authenticationRequired = PaymentFailure(
        kind: .cardError, code: "authentication_required", declineCode: "authentication_required",
        message: "The card needs its holder's authentication, which a payment without the customer cannot ask for.")

    /// `fr`, `pt-BR`: the tags Stripe's `preferred_locales` takes; anything else is left out rather than refused.
    static func isStripeLocale(_ locale: String) -> Bool {
        let parts = locale.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts[0].count == 2, parts[0].allSatisfy({ $0.isASCII && $0.isLowercase }) else { return false }
        return parts.count == 1 || (parts[1].count == 2 && parts[1].allSatisfy { $0.isASCII && $0.isUppercase })
    }
}
