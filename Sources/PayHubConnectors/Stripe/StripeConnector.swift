import AsyncHTTPClient
import Foundation
import Logging
import PayHubCore

/// Card payments through Stripe's PaymentIntents API (https://docs.stripe.com/api/payment_intents).
/// One PayHub attempt is one Stripe PaymentIntent, created and confirmed in one call; its id is the provider
/// reference. Credentials: see `StripeCredentials`.
public struct StripeConnector: PaymentConnector {
    public static let name = "stripe"
    public static let signatureHeader = "stripe-signature"
    /// Stripe's recommended tolerance for a webhook's timestamp.
    public static let webhookTolerance: TimeInterval = 300

    public var name: String { Self.name }
    public let capabilities = ConnectorCapabilities(
        methods: ["card"], currencies: nil, manualCapture: true, partialRefund: true, statusCheck: true,
        incomingWebhooks: true, otp: false, liveMode: true, savedMethods: ["card"], providerSubscriptions: true
    )

    let api: StripeAPIClient

    /// - Parameters:
    ///   - transport: how requests reach Stripe; tests pass a stub.
    ///   - timeout: seconds before a call is abandoned and reported `unavailable`.
    public init(
        transport: any StripeTransport, timeout: Double = 30,
        logger: Logger = Logger(label: "payhub.connector.stripe")
    ) {
        api = StripeAPIClient(transport: transport, timeout: timeout, logger: logger)
    }

    /// The live connector on an AsyncHTTPClient the caller owns (or the shared one).
    public init(httpClient: HTTPClient = .shared, timeout: Double = 30) {
        self.init(transport: StripeHTTPClientTransport(client: httpClient), timeout: timeout)
    }

    public func validateCredentials(_ credentials: ProviderCredentials) throws {
        _ = try StripeCredentials(credentials)
    }

    // MARK: - Payments

    /// A payment with `saveForOffSession` first creates the Stripe Customer the method is saved on; one with
    /// `offSessionMethod` charges a saved method without the customer (see StripeSavedMethods.swift).
    public func authorize(_ request: ConnectorPaymentRequest, context: ConnectorContext) async throws -> ConnectorPaymentResult {
        let credentials = try credentials(for: context)
        if let saved = request.offSessionMethod {
            return try await chargeOffSession(request, method: saved, credentials: credentials, context: context)
        }
        do {
            try Self.checkCardMethod(request.method)
            var method = request.method
            let saving = request.saveForOffSession ? try await prepareSaving(request, method: &method, credentials: credentials) : nil
            method = try await emulatorMethod(method, credentials: credentials)
            var form = try Self.confirmedIntentForm(request)
            Self.addPaymentMethod(method, to: &form)
            if credentials.emulator == nil {
                form.add("return_url", request.returnURL)
                form.add("description", request.description)
            }
            var metadata = Self.metadata(of: request)
            if let saving { saving.add(to: &form, metadata: &metadata, emulator: credentials.emulator) }
            form.add("metadata", dictionary: metadata)

            let intent: StripePaymentIntent = try await api.post(
                "/v1/payment_intents", form: form, idempotencyKey: request.idempotencyKey, credentials: credentials)
            return try result(intent, returnURL: request.returnURL, context: context)
        } catch let decline as StripeCardDecline {
            // Stripe puts the declined intent in the error; localstripe does not, leaving no reference.
            return Self.declined(decline)
        }
    }

    /// A card PaymentIntent for the request's amount, created and confirmed in one call.
    static func confirmedIntentForm(_ request: ConnectorPaymentRequest) throws -> StripeForm {
        var form = StripeForm()
        form.add("amount", try StripeAmount.value(of: request.amount))
        form.add("currency", StripeAmount.currency(of: request.amount))
        form.add("capture_method", request.captureMethod == .manual ? "manual" : "automatic")
        form.add("confirm", "true")
        form.add("payment_method_types[]", "card")
        return form
    }

    static func metadata(of request: ConnectorPaymentRequest) -> [String: String] {
        ["payhub_attempt_id": request.attemptID.rawValue, "payhub_payment_intent_id": request.paymentIntentID.rawValue]
    }

    static func declined(_ decline: StripeCardDecline) -> ConnectorPaymentResult {
        ConnectorPaymentResult(
            providerReference: decline.error.paymentIntentID, outcome: .failed(decline.error.paymentFailure(forcingCardError: true)))
    }

    public func authenticate(reference: String, otp: String, context: ConnectorContext) async throws -> ConnectorPaymentResult {
        throw ConnectorError.unsupported("Stripe authenticates cards with 3-D Secure redirects, not one-time passwords")
    }

    public func capture(reference: String, amount: Money, context: ConnectorContext) async throws -> ConnectorPaymentResult {
        let credentials = try credentials(for: context)
        let path = try Self.paymentIntentPath(reference)
        var form = StripeForm()
        form.add("amount_to_capture", try StripeAmount.value(of: amount))
        do {
            let intent: StripePaymentIntent = try await api.post(path + "/capture", form: form, credentials: credentials)
            return try result(intent, returnURL: nil, context: context)
        } catch let decline as StripeCardDecline {
            return ConnectorPaymentResult(
                providerReference: reference, outcome: .failed(decline.error.paymentFailure(forcingCardError: true)))
        } catch ConnectorError.invalidRequest(let code, let message, let param) where code == "payment_intent_unexpected_state" {
            // A retried capture that already went through: report how the intent stands.
            let current = try await retrievePayment(reference: reference, context: context)
            guard current.outcome == .succeeded else {
                throw ConnectorError.invalidRequest(code: code, message: message, param: param)
            }
            return current
        }
    }

    public func cancel(reference: String, context: ConnectorContext) async throws -> ConnectorPaymentResult {
        let credentials = try credentials(for: context)
        let path = try Self.paymentIntentPath(reference)
        do {
            let intent: StripePaymentIntent = try await api.post(path + "/cancel", form: StripeForm(), credentials: credentials)
            return try result(intent, returnURL: nil, context: context)
        } catch ConnectorError.invalidRequest(let code, let message, let param) where code == "payment_intent_unexpected_state" {
            // A retried cancel that already went through.
            let current = try await retrievePayment(reference: reference, context: context)
            guard current.outcome == .canceled else {
                throw ConnectorError.invalidRequest(code: code, message: message, param: param)
            }
            return current
        }
    }

    public func retrievePayment(reference: String, context: ConnectorContext) async throws -> ConnectorPaymentResult {
        let credentials = try credentials(for: context)
        let intent: StripePaymentIntent = try await api.get(try Self.paymentIntentPath(reference), credentials: credentials)
        return try result(intent, returnURL: nil, context: context)
    }

    // MARK: - Refunds

    public func refund(_ request: ConnectorRefundRequest, context: ConnectorContext) async throws -> ConnectorRefundResult {
        let credentials = try credentials(for: context)
        _ = try Self.paymentIntentPath(request.paymentReference)
        var form = StripeForm()
        form.add("payment_intent", request.paymentReference)
        form.add("amount", try StripeAmount.value(of: request.amount))
        if credentials.emulator == nil { form.add("reason", request.reason?.rawValue) }
        form.add("metadata", dictionary: ["payhub_refund_id": request.refundID.rawValue])
        do {
            let refund: StripeRefund = try await api.post(
                "/v1/refunds", form: form, idempotencyKey: request.idempotencyKey, credentials: credentials)
            return ConnectorRefundResult(providerReference: refund.id, outcome: try refund.outcome())
        } catch let decline as StripeCardDecline {
            throw ConnectorError.invalidRequest(
                code: decline.error.code ?? "refund_declined",
                message: decline.error.message ?? "Stripe declined the refund.", param: decline.error.param)
        }
    }

    public func retrieveRefund(reference: String, context: ConnectorContext) async throws -> ConnectorRefundResult {
        let credentials = try credentials(for: context)
        guard Self.isStripeID(reference, prefixes: ["re_", "pyr_"]) else {
            throw ConnectorError.invalidRequest(code: "resource_missing", message: "No such Stripe refund.", param: nil)
        }
        let refund: StripeRefund = try await api.get("/v1/refunds/\(reference)", credentials: credentials)
        return ConnectorRefundResult(providerReference: refund.id, outcome: try refund.outcome())
    }

    // MARK: - Webhooks

    public func parseWebhook(_ webhook: IncomingWebhook, context: ConnectorContext) throws -> ProviderWebhookEvent {
        guard let secret = try StripeCredentials(context.credentials).webhookSecret else {
            throw ConnectorError.invalidCredentials("missing 'webhook_secret'")
        }
        try TimestampedSignature.verify(
            header: webhook.headers[Self.signatureHeader], body: webhook.body, secret: secret, now: context.now,
            tolerance: Self.webhookTolerance)
        return try StripeWebhookParser(publicBaseURL: context.publicBaseURL, now: context.now).event(from: webhook.body)
    }

    // MARK: - Emulator

    /// localstripe only: plays the customer's answer to a 3-D Secure challenge through localstripe's
    /// `POST /v1/payment_intents/{id}/_authenticate`, as a demo's authentication page would.
    public func completeEmulatedAuthentication(
        reference: String, success: Bool, context: ConnectorContext
    ) async throws -> ConnectorPaymentResult {
        let credentials = try credentials(for: context)
        guard credentials.emulator == .localstripe else {
            throw ConnectorError.unsupported("emulated authentication needs the 'localstripe' emulator")
        }
        let path = try Self.paymentIntentPath(reference)
        let current: StripePaymentIntent = try await api.get(path, credentials: credentials)
        var form = StripeForm()
        form.add("client_secret", current.clientSecret ?? "")
        form.add("success", success ? "true" : "false")
        let intent: StripePaymentIntent = try await api.post(path + "/_authenticate", form: form, credentials: credentials)
        return try result(intent, returnURL: nil, context: context)
    }

    /// What PayHub's 3-D Secure page for a Stripe payment must show.
    public func authenticationPage(reference: String, context: ConnectorContext) async throws -> ProviderAuthenticationPage {
        let credentials = try credentials(for: context)
        if credentials.emulator == .localstripe { return .emulated }
        guard let publishableKey = credentials.publishableKey else {
            throw ConnectorError.invalidCredentials("missing 'publishable_key' for the 3-D Secure page")
        }
        let intent: StripePaymentIntent = try await api.get(try Self.paymentIntentPath(reference), credentials: credentials)
        guard let clientSecret = intent.clientSecret else {
            throw ConnectorError.invalidResponse("the payment intent has no client secret")
        }
        return .stripeJS(publishableKey: publishableKey, clientSecret: clientSecret)
    }

    /// Stripe.js's card Element on PayHub's checkout (https://docs.stripe.com/js/tokens/create_token), with the
    /// Content-Security-Policy sources Stripe documents (https://docs.stripe.com/security/guide#content-security-policy);
    /// against localstripe, its own Stripe.js (`/js.stripe.com/v3/`), which creates tokens against it.
    public func cardFields(context: ConnectorContext) throws -> ProviderCardFields? {
        let credentials = try credentials(for: context)
        guard let publishableKey = credentials.publishableKey else { return nil }
        if credentials.emulator == .localstripe, let origin = Self.origin(of: credentials.baseURL) {
            return ProviderCardFields(
                scriptURL: credentials.baseURL + "/js.stripe.com/v3/", publishableKey: publishableKey,
                scriptSources: [origin], connectSources: [origin], frameSources: [])
        }
        return ProviderCardFields(
            scriptURL: "https://js.stripe.com/v3/", publishableKey: publishableKey,
            scriptSources: ["https://js.stripe.com", "https://*.js.stripe.com"], connectSources: ["https://api.stripe.com"],
            frameSources: ["https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com"])
    }

    /// `scheme://host[:port]` of a validated base URL.
    static func origin(of url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else { return nil }
        let shownHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(scheme)://\(shownHost)" + (components.port.map { ":\($0)" } ?? "")
    }

    /// PayHub's page for a 3-D Secure challenge Stripe gave no browser URL for (`next_action.use_stripe_sdk`):
    /// the server serves it, with Stripe.js's `handleNextAction` or, against localstripe,
    /// `completeEmulatedAuthentication`.
    public static func authenticationURL(publicBaseURL: String, reference: String) -> String {
        "\(publicBaseURL)/stripe/authenticate/\(reference)"
    }

    // MARK: - Helpers

    func credentials(for context: ConnectorContext) throws -> StripeCredentials {
        let credentials = try StripeCredentials(context.credentials)
        try credentials.checkMode(livemode: context.livemode)
        return credentials
    }

    func result(_ intent: StripePaymentIntent, returnURL: String?, context: ConnectorContext) throws -> ConnectorPaymentResult {
        let fallback = Self.authenticationURL(publicBaseURL: context.publicBaseURL, reference: intent.id)
        return try intent.paymentResult(returnURL: returnURL, fallbackActionURL: fallback)
    }

    /// Cards arrive as a PaymentMethod id (`pm_...`, Stripe's test ids like `pm_card_visa` included) or a
    /// card token (`tok_...`, what Stripe.js's `createToken` hands PayHub's card page). PayHub never sends card numbers.
    static func checkCardMethod(_ method: PaymentMethodData) throws {
        guard method.type == "card" else {
            throw ConnectorError.invalidRequest(
                code: "payment_method_unsupported", message: "Stripe on PayHub takes cards only.", param: "payment_method.type")
        }
        guard let token = method.token, Self.isStripeID(token, prefixes: ["pm_", "tok_"]) else {
            throw ConnectorError.invalidRequest(
                code: "invalid_payment_method",
                message: "A Stripe card needs a PaymentMethod id (pm_...) or a card token (tok_...).",
                param: "payment_method.token")
        }
    }

    /// localstripe takes no `payment_method_data`: a card token is paid with as the card it holds (`card_...`),
    /// which localstripe accepts as a payment method.
    private func emulatorMethod(_ method: PaymentMethodData, credentials: StripeCredentials) async throws -> PaymentMethodData {
        guard credentials.emulator == .localstripe, let token = method.token, token.hasPrefix("tok_") else { return method }
        let found: StripeToken = try await api.get("/v1/tokens/\(token)", credentials: credentials)
        guard let card = found.card?.id, Self.isStripeID(card, prefixes: ["card_"]) else {
            throw ConnectorError.invalidRequest(
                code: "invalid_payment_method", message: "The card token holds no card.", param: "payment_method.token")
        }
        var paid = method
        paid.token = card
        return paid
    }

    /// A PaymentMethod (or, on localstripe, a card) is the intent's `payment_method`; a token becomes its
    /// `payment_method_data`.
    private static func addPaymentMethod(_ method: PaymentMethodData, to form: inout StripeForm) {
        guard let token = method.token else { return }
        if token.hasPrefix("tok_") {
            form.add("payment_method_data[type]", "card")
            form.add("payment_method_data[card][token]", token)
        } else {
            form.add("payment_method", token)
        }
    }

    static func paymentIntentPath(_ reference: String) throws -> String {
        guard isStripeID(reference, prefixes: ["pi_"]) else {
            throw ConnectorError.invalidRequest(code: "resource_missing", message: "No such Stripe payment intent.", param: nil)
        }
        return "/v1/payment_intents/\(reference)"
    }

    /// A Stripe id with one of the prefixes and only `[A-Za-z0-9_]`, so it is safe inside a URL path.
    static func isStripeID(_ string: String, prefixes: [String]) -> Bool {
        guard string.count <= 255, prefixes.contains(where: { string.hasPrefix($0) && string.count > $0.count }) else {
            return false
        }
        return string.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_") }
    }
}
