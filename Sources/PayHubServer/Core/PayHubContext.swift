import Crypto
import Fluent
import Foundation
import Logging
import PayHubConnectors
import PayHubCore
import PayHubDocuments
import NIOConcurrencyHelpers
import PayHubMail
import Vapor

/// The injected dependencies of one PayHub: configuration, clock, ids, providers, crypto, metrics.
/// Tests build it with a fixed clock and their own connectors.
public final class PayHubContext: Sendable {
    public let config: PayHubConfig
    public let clock: any WallClock
    public let ids: any IDGenerator
    public let connectors: ConnectorRegistry
    let secrets: SecretBox
    let transactor: Transactor
    let clientTokens: ClientTokenSigner
    /// The key that MACs the CSRF tokens of the customer-facing pages, derived from the master key once.
    let pageFormKey: SymmetricKey
    let metrics: AppMetrics
    let rateLimiter: any RateLimiter
    let webhookTransport: any WebhookTransport
    /// Sends email (SMTP, or the data folder's outbox in the demo).
    let mail: any MailTransport
    /// Sends text messages (Twilio, or the log gateway in the demo).
    let sms: any SMSGateway
    /// Wakes the webhook worker when new deliveries are written, so they leave at once.
    let deliveryWakeUp = WakeUpSignal()
    /// Wakes the scheduler's other lanes when a job is due at once.
    let jobsWakeUp = WakeUpSignal()
    /// Jobs enqueued leased to this process's own lanes.
    let jobHandoff = JobHandoff()
    /// The webhook endpoints whose delivery job runs in this process now.
    let deliveryRuns = DeliveryRuns()
    /// Renders finalised invoices and credit notes, by format (`InvoiceRenderers.standard` by default).
    let invoiceRenderers: [InvoiceFormat: any InvoiceRenderer]
    /// This process's copies of merchants' checkout configurations (theme, rules, accounts' methods, settings).
    let checkoutConfigurations = CheckoutConfigurationCache()

    public init(
        config: PayHubConfig,
        clock: any WallClock = SystemWallClock(),
        ids: any IDGenerator = SecureRandomIDGenerator(),
        connectors: ConnectorRegistry,
        webhookTransport: any WebhookTransport,
        mail: (any MailTransport)? = nil,
        sms: (any SMSGateway)? = nil,
        invoiceRenderers: [InvoiceFormat: any InvoiceRenderer] = InvoiceRenderers.standard
    ) {
        self.invoiceRenderers = invoiceRenderers
        self.config = config
        self.clock = clock
        self.ids = ids
        self.connectors = connectors
        self.secrets = SecretBox(masterKey: config.masterKey)
        if case .postgres = config.database {
            self.transactor = Transactor(isPostgres: true)
        } else {
            self.transactor = Transactor(isPostgres: false)
        }
        self.clientTokens = ClientTokenSigner(masterKey: config.masterKey, lifetime: config.clientTokenLifetime)
        self.pageFormKey = AuthenticationPageGuard.formKey(masterKey: config.masterKey)
        self.metrics = AppMetrics()
        if case .postgres = config.database {
            self.rateLimiter = SharedRateLimiter()
        } else {
            self.rateLimiter = InMemoryRateLimiter()
        }
        self.webhookTransport = webhookTransport
        // Without transports (tests that do not look), messages stay in memory.
        self.mail = mail ?? InMemoryMailOutbox(renderer: NotificationTransports.renderer(config: config, clock: clock, ids: ids))
        self.sms = sms ?? LogSMSGateway(ids: ids)
    }

    /// Opens the account's credentials for one provider call.
    func connectorContext(for account: ProviderAccountRecord) throws -> ConnectorContext {
        let json = try secrets.open(account.credentials.sealed)
        guard let values = JSONText.decode([String: String].self, from: json) else {
            throw StoredValueInvalid(table: "provider_accounts", column: "credentials_sealed", id: account.id.rawValue)
        }
        return ConnectorContext(
            accountID: account.id.rawValue, credentials: ProviderCredentials(values), livemode: account.scope.livemode,
            publicBaseURL: config.publicBaseURL, now: clock.now())
    }
}

extension PayHubContext {
    /// The signal of the lane that runs jobs of this kind.
    func wakeUp(for kind: JobKind) -> WakeUpSignal {
        kind == .webhookDelivery ? deliveryWakeUp : jobsWakeUp
    }
}

extension Application {
    private struct PayHubContextKey: StorageKey {
        typealias Value = PayHubContext
    }

    public var payhub: PayHubContext {
        get {
            guard let context = storage[PayHubContextKey.self] else { fatalError("configure(_:) was not called") }
            return context
        }
        set { storage[PayHubContextKey.self] = newValue }
    }
}

extension Request {
    var payhub: PayHubContext { application.payhub }
}

/// A signal a worker waits on between polls; `signal()` ends the wait early, and a signal sent while nobody waits
/// ends the next wait at once.
final class WakeUpSignal: Sendable {
    private enum State {
        case idle
        case signalled
        case waiting(id: UInt64, continuation: CheckedContinuation<Void, Never>)
    }

    private let state = NIOLockedValueBox<(state: State, nextID: UInt64)>((.idle, 0))

    func signal() {
        let waiter = state.withLockedValue { box -> CheckedContinuation<Void, Never>? in
            guard case .waiting(_, let continuation) = box.state else {
                box.state = .signalled
                return nil
            }
            box.state = .idle
            return continuation
        }
        waiter?.resume()
    }

    /// Waits until signalled, cancelled, or until `seconds` pass.
    func wait(seconds: TimeInterval) async {
        let id = state.withLockedValue { box in
            box.nextID += 1
            return box.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLockedValue { box -> Bool in
                    if case .signalled = box.state {
                        box.state = .idle
                        return true
                    }
                    if Task.isCancelled { return true }
                    box.state = .waiting(id: id, continuation: continuation)
                    return false
                }
                if now { return continuation.resume() }
                Task { [weak self] in
                    try? await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
                    self?.endWait(id)
                }
            }
        } onCancel: {
            endWait(id)
        }
    }

    /// Ends wait `id` if it is still the one waiting.
    private func endWait(_ id: UInt64) {
        let waiter = state.withLockedValue { box -> CheckedContinuation<Void, Never>? in
            guard case .waiting(let waiting, let continuation) = box.state, waiting == id else { return nil }
            box.state = .idle
            return continuation
        }
        waiter?.resume()
    }
}
