import Fluent
import Foundation
import Logging
import PayHubConnectors
import PayHubCore
import NIOConcurrencyHelpers
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
    let metrics: AppMetrics
    let rateLimiter: any RateLimiter
    let webhookTransport: any WebhookTransport
    /// Wakes the webhook worker when new deliveries are written, so they leave at once.
    let deliveryWakeUp = WakeUpSignal()
    /// Identifies this process in leases, so two processes never work on the same row.
    let processID: String

    public init(
        config: PayHubConfig,
        clock: any WallClock = SystemWallClock(),
        ids: any IDGenerator = SecureRandomIDGenerator(),
        connectors: ConnectorRegistry,
        webhookTransport: any WebhookTransport
    ) {
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
        self.metrics = AppMetrics()
        if case .postgres = config.database {
            self.rateLimiter = SharedRateLimiter()
        } else {
            self.rateLimiter = InMemoryRateLimiter()
        }
        self.webhookTransport = webhookTransport
        self.processID = ids.randomToken(length: 12)
    }

    func connectorContext(for account: ProviderAccountModel) throws -> ConnectorContext {
        let json = try secrets.open(account.credentialsSealed)
        let values = JSONText.decode([String: String].self, from: json) ?? [:]
        return ConnectorContext(
            accountID: account.id ?? "", credentials: ProviderCredentials(values), livemode: account.livemode,
            publicBaseURL: config.publicBaseURL, now: clock.now())
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

/// A signal a worker waits on between polls; `signal()` ends the wait early.
final class WakeUpSignal: Sendable {
    private let pending = NIOLockedValueBox<CheckedContinuation<Void, Never>?>(nil)
    private let flagged = NIOLockedValueBox(false)

    func signal() {
        let waiter = pending.withLockedValue { current -> CheckedContinuation<Void, Never>? in
            defer { current = nil }
            return current
        }
        if let waiter { waiter.resume() } else { flagged.withLockedValue { $0 = true } }
    }

    /// Waits until signalled or until `seconds` pass.
    func wait(seconds: TimeInterval) async {
        if flagged.withLockedValue({ flag in defer { flag = false }; return flag }) { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let resumeNow = self.pending.withLockedValue { current -> Bool in
                        if current != nil { return true }
                        current = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
            group.addTask { try? await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000)) }
            await group.next()
            self.signal()
            group.cancelAll()
            await group.waitForAll()
            self.flagged.withLockedValue { flag in flag = false }
        }
    }
}
