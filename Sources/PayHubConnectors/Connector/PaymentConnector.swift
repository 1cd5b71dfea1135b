import Foundation
import PayHubCore

/// A payment provider behind one interface. Each provider lives in its own folder; PayHub's services only
/// ever talk to this protocol. Implementations are stateless: everything per merchant arrives in the context.
public protocol PaymentConnector: Sendable {
    /// The provider's name in the API and in URLs: `sandbox`, `stripe`, ...
    var name: String { get }
    var capabilities: ConnectorCapabilities { get }

    /// Checks that an account's credentials are complete before they are stored.
    func validateCredentials(_ credentials: ProviderCredentials) throws

    /// Sends a payment attempt. Declines are outcomes (`.failed`), not thrown errors.
    func authorize(_ request: ConnectorPaymentRequest, context: ConnectorContext) async throws -> ConnectorPaymentResult
    /// Submits a one-time password for an attempt waiting on `.otp`.
    func authenticate(reference: String, otp: String, context: ConnectorContext) async throws -> ConnectorPaymentResult
    /// Captures an authorised amount (manual capture).
    func capture(reference: String, amount: Money, context: ConnectorContext) async throws -> ConnectorPaymentResult
    /// Voids an authorisation or abandons an unfinished attempt.
    func cancel(reference: String, context: ConnectorContext) async throws -> ConnectorPaymentResult
    func refund(_ request: ConnectorRefundRequest, context: ConnectorContext) async throws -> ConnectorRefundResult
    /// Asks the provider how a payment stands (the status check of seed 003, used by the poller and `/sync`).
    func retrievePayment(reference: String, context: ConnectorContext) async throws -> ConnectorPaymentResult
    func retrieveRefund(reference: String, context: ConnectorContext) async throws -> ConnectorRefundResult
    /// Verifies a webhook the provider sent and says what it reports. Throws `.signatureInvalid` when it
    /// cannot be trusted; nothing may change then.
    func parseWebhook(_ webhook: IncomingWebhook, context: ConnectorContext) throws -> ProviderWebhookEvent
    /// Finds the payment PayHub sent for this attempt by PayHub's own reference (for providers that do not
    /// honour idempotency keys: see `ConnectorCapabilities.deduplication`); nil when the provider never got it.
    func findPayment(attemptID: PaymentAttemptID, context: ConnectorContext) async throws -> ConnectorPaymentResult?
    /// What PayHub's own authentication page needs, for a challenge the provider gave no browser URL for.
    func authenticationPage(reference: String, context: ConnectorContext) async throws -> ProviderAuthenticationPage
    /// Plays the customer's answer on an emulator's challenge (the `.emulated` page).
    func completeEmulatedAuthentication(reference: String, success: Bool, context: ConnectorContext) async throws -> ConnectorPaymentResult
    /// The provider's script that draws card fields in PayHub's hosted checkout and turns them into a token, for
    /// a provider whose cards need one (`hostedCardPage` false); nil when the account cannot (no publishable key).
    func cardFields(context: ConnectorContext) throws -> ProviderCardFields?
}

extension PaymentConnector {
    public func findPayment(attemptID: PaymentAttemptID, context: ConnectorContext) async throws -> ConnectorPaymentResult? {
        throw ConnectorError.unsupported("looking a payment up by PayHub's reference")
    }

    public func authenticationPage(reference: String, context: ConnectorContext) async throws -> ProviderAuthenticationPage {
        throw ConnectorError.unsupported("PayHub's authentication page")
    }

    public func completeEmulatedAuthentication(
        reference: String, success: Bool, context: ConnectorContext
    ) async throws -> ConnectorPaymentResult {
        throw ConnectorError.unsupported("emulated authentication")
    }

    public func cardFields(context: ConnectorContext) throws -> ProviderCardFields? { nil }
}

/// A provider's card fields inside PayHub's hosted checkout (Stripe.js's card Element): the customer types the
/// card into the provider's script, which hands back a token the provider keeps; PayHub only sees the token.
public struct ProviderCardFields: Sendable, Equatable {
    /// The script the page loads first.
    public var scriptURL: String
    /// The account's public key the script is started with.
    public var publishableKey: String
    /// What the page's Content-Security-Policy admits for the script, its requests and its frames.
    public var scriptSources: [String]
    public var connectSources: [String]
    public var frameSources: [String]

    public init(scriptURL: String, publishableKey: String, scriptSources: [String], connectSources: [String], frameSources: [String]) {
        self.scriptURL = scriptURL
        self.publishableKey = publishableKey
        self.scriptSources = scriptSources
        self.connectSources = connectSources
        self.frameSources = frameSources
    }
}

/// The provider's part of PayHub's authentication page.
public enum ProviderAuthenticationPage: Sendable, Equatable {
    /// An emulator: an approve / fail choice played through `completeEmulatedAuthentication`.
    case emulated
    /// Stripe: Stripe.js `handleNextAction` with the intent's client secret.
    case stripeJS(publishableKey: String, clientSecret: String)
}

/// How a provider keeps a retried create from paying twice.
public enum Deduplication: Sendable, Equatable {
    /// It honours an idempotency key: a retry is the same request again, under the same key.
    case idempotencyKey
    /// It does not: a retry first looks the payment up by PayHub's reference (`findPayment`).
    case lookupByReference
}

public struct ConnectorCapabilities: Sendable, Equatable {
    /// Payment method types: `card`, `mobile_money`, `wallet`, ...
    public var methods: Set<String>
    /// ISO 4217 codes; nil means any.
    public var currencies: Set<String>?
    public var manualCapture: Bool
    public var partialRefund: Bool
    public var statusCheck: Bool
    public var incomingWebhooks: Bool
    public var otp: Bool
    public var deduplication: Deduplication
    /// Whether the provider moves real money: only such providers may back live-mode accounts.
    public var liveMode: Bool
    /// Whether a card payment may come without a token: the provider then sends the customer to its own page to
    /// enter the card (`redirect_to_url`), as the hosted checkout does for cards.
    public var hostedCardPage: Bool
    /// Method types the provider can save on a payment (`ConnectorPaymentRequest.saveForOffSession`) and charge
    /// later without the customer (`offSessionMethod`): what PayHub's own (manual) renewals need.
    public var savedMethods: Set<String>
    /// Whether the connector runs subscriptions itself (`SubscriptionConnector`): automatic renewals.
    public var providerSubscriptions: Bool

    public init(
        methods: Set<String>, currencies: Set<String>? = nil, manualCapture: Bool, partialRefund: Bool,
        statusCheck: Bool, incomingWebhooks: Bool, otp: Bool, liveMode: Bool, deduplication: Deduplication = .idempotencyKey,
        hostedCardPage: Bool = false, savedMethods: Set<String> = [], providerSubscriptions: Bool = false
    ) {
        self.hostedCardPage = hostedCardPage
        self.savedMethods = savedMethods
        self.providerSubscriptions = providerSubscriptions
        self.deduplication = deduplication
        self.methods = methods
        self.currencies = currencies
        self.manualCapture = manualCapture
        self.partialRefund = partialRefund
        self.statusCheck = statusCheck
        self.incomingWebhooks = incomingWebhooks
        self.otp = otp
        self.liveMode = liveMode
    }

    public func supports(method: String, currency: Currency) -> Bool {
        methods.contains(method) && (currencies?.contains(currency.code) ?? true)
    }
}

/// A provider account's secrets and settings, decrypted only for the duration of a call.
public struct ProviderCredentials: Sendable, Equatable {
    public var values: [String: String]
    public init(_ values: [String: String]) { self.values = values }
    public subscript(key: String) -> String? { values[key] }

    public func required(_ key: String) throws -> String {
        guard let value = values[key], !value.isEmpty else {
            throw ConnectorError.invalidCredentials("missing '\(key)'")
        }
        return value
    }
}

/// Everything a connector needs to know about the account and the moment of a call.
public struct ConnectorContext: Sendable {
    public var accountID: String
    public var credentials: ProviderCredentials
    public var livemode: Bool
    /// Where PayHub is reachable from a browser, for pages the provider simulates or returns to.
    public var publicBaseURL: String
    public var now: Date

    public init(accountID: String, credentials: ProviderCredentials, livemode: Bool, publicBaseURL: String, now: Date) {
        self.accountID = accountID
        self.credentials = credentials
        self.livemode = livemode
        self.publicBaseURL = publicBaseURL
        self.now = now
    }
}
