import Foundation

/// A Stripe account's settings, read from `ProviderCredentials`:
/// - `secret_key` (required): `sk_test_`/`sk_live_` (restricted `rk_` keys work too).
/// - `webhook_secret` (optional): the `whsec_` signing secret of the endpoint Stripe posts events to.
/// - `base_url` (optional): defaults to `https://api.stripe.com`; plain http only for loopback hosts or an emulator.
/// - `emulator` (optional): `localstripe` leaves out the parameters localstripe rejects (see `StripeEmulator`).
/// - `publishable_key` (optional): `pk_test_`/`pk_live_`, for the 3-D Secure page that runs Stripe.js.
struct StripeCredentials: Sendable {
    static let defaultBaseURL = "https://api.stripe.com"

    var secretKey: String
    var webhookSecret: String?
    var baseURL: String
    var emulator: StripeEmulator?
    var publishableKey: String?

    var isLiveKey: Bool { secretKey.hasPrefix("sk_live_") || secretKey.hasPrefix("rk_live_") }

    init(_ credentials: ProviderCredentials) throws {
        let key = try credentials.required("secret_key")
        let prefixes = ["sk_test_", "sk_live_", "rk_test_", "rk_live_"]
        guard let prefix = prefixes.first(where: { key.hasPrefix($0) }), key.count > prefix.count,
              key.allSatisfy({ $0.isASCII && !$0.isWhitespace })
        else {
            throw ConnectorError.invalidCredentials("'secret_key' must be a Stripe secret key (sk_test_... or sk_live_...)")
        }
        secretKey = key

        if let secret = credentials["webhook_secret"], !secret.isEmpty {
            guard secret.hasPrefix("whsec_"), secret.count > 6 else {
                throw ConnectorError.invalidCredentials("'webhook_secret' must be a Stripe signing secret (whsec_...)")
            }
            webhookSecret = secret
        }

        if let name = credentials["emulator"], !name.isEmpty {
            guard let emulator = StripeEmulator(rawValue: name) else {
                throw ConnectorError.invalidCredentials("'emulator' must be one of: "
                    + StripeEmulator.allCases.map(\.rawValue).joined(separator: ", "))
            }
            self.emulator = emulator
        }

        if let publishable = credentials["publishable_key"], !publishable.isEmpty {
            guard publishable.hasPrefix("pk_test_") || publishable.hasPrefix("pk_live_"),
                  publishable.allSatisfy({ $0.isASCII && !$0.isWhitespace })
            else {
                throw ConnectorError.invalidCredentials("'publishable_key' must be a Stripe publishable key (pk_test_... or pk_live_...)")
            }
            publishableKey = publishable
        }

        let base = credentials["base_url"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultBaseURL
        baseURL = try Self.validatedBaseURL(base, emulator: emulator)
    }

    /// Refuses a test key in live mode and a live key in test mode: a test-mode payment must never move money.
    func checkMode(livemode: Bool) throws {
        if livemode && !isLiveKey {
            throw ConnectorError.invalidCredentials("a Stripe test key cannot serve a live-mode account")
        }
        if !livemode && isLiveKey {
            throw ConnectorError.invalidCredentials("a Stripe live key cannot serve a test-mode account")
        }
    }

    private static func validatedBaseURL(_ string: String, emulator: StripeEmulator?) throws -> String {
        guard let url = URL(string: string), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty,
              url.query == nil, url.fragment == nil, url.user == nil
        else {
            throw ConnectorError.invalidCredentials("'base_url' must be an absolute http(s) URL")
        }
        let loopback = host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
        guard scheme == "https" || (scheme == "http" && (loopback || emulator != nil)) else {
            throw ConnectorError.invalidCredentials(
                "'base_url' must use https (plain http only for a loopback host or an emulator)")
        }
        return string.hasSuffix("/") ? String(string.dropLast()) : string
    }
}

/// A Stripe emulator the connector adapts its requests to.
enum StripeEmulator: String, CaseIterable, Sendable {
    /// localstripe rejects any parameter it does not know: PaymentIntents take no `description`, `return_url`,
    /// `payment_method_data` or `setup_future_usage` (a saving payment attaches its method to the customer
    /// first), Refunds take no `reason`. Billing: no Prices (Plans instead), Subscriptions take no
    /// `default_payment_method` (the customer's `invoice_settings.default_payment_method` is set instead),
    /// `off_session` or `description`, and ignore `billing_cycle_anchor` (a later billing start is `trial_end`);
    /// updates take no `proration_behavior` and credit unused time regardless (the connector deletes those
    /// pending items).
    case localstripe
}
