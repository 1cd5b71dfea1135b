import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Starts the background workers with the server and stops them with it.
struct BackgroundWorkers: LifecycleHandler {
    private let tasks = NIOLockedValueBox<[Task<Void, Never>]>([])

    func didBootAsync(_ application: Application) async throws {
        let context = application.payhub
        guard context.config.runsWorkers else { return }
        let db = application.db
        let logger = application.logger
        let interval = context.config.workerInterval
        let delivery = WebhookDeliveryWorker(context: context, db: db, logger: logger)
        let poller = StatusPoller(context: context, db: db, logger: logger)
        let simulator = SandboxSimulator(context: context, db: db, logger: logger)
        let janitor = IdempotencyService(context: context, db: db)
        let started = [
            Task { await delivery.run() },
            Task { await Self.every(interval, logger: logger, name: "sandbox simulator") { _ = try await simulator.runOnce() } },
            Task { await Self.every(max(interval, 5), logger: logger, name: "status poller") { _ = try await poller.runOnce() } },
            Task { await Self.every(3600, logger: logger, name: "idempotency janitor") { _ = try await janitor.purgeExpired() } },
            Task { await Self.every(600, logger: logger, name: "rate-limit janitor") {
                try await context.rateLimiter.forgetIdle(now: context.clock.now(), on: db)
            } },
            Task { await Self.every(5, logger: logger, name: "queue depth") { _ = try await QueueDepth.record(context: context, db: db) } },
        ]
        tasks.withLockedValue { $0 = started }
    }

    func shutdownAsync(_ application: Application) async {
        let running = tasks.withLockedValue { tasks in defer { tasks = [] }; return tasks }
        for task in running { task.cancel() }
        for task in running { await task.value }
    }

    private static func every(
        _ seconds: TimeInterval, logger: Logger, name: String, _ body: @Sendable () async throws -> Void
    ) async {
        while !Task.isCancelled {
            do { try await body() } catch {
                if !Task.isCancelled { logger.error("\(name) failed", metadata: ["error": "\(error)"]) }
            }
            try? await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
        }
    }
}

/// Queue depths for `/metrics`: webhook deliveries waiting, attempts and refunds waiting on their provider.
enum QueueDepth {
    static func record(context: PayHubContext, db: any Database) async throws -> Int {
        let deliveries = try await WebhookDeliveryModel.query(on: db).filter(\.$status == "pending").count()
        let attempts = try await PaymentAttemptModel.query(on: db).filter(\.$status ~~ ["pending", "processing", "requires_action"]).count()
        let refunds = try await RefundModel.query(on: db).filter(\.$status == "pending").count()
        context.metrics.queueDepth("webhook_deliveries", deliveries)
        context.metrics.queueDepth("unfinished_attempts", attempts)
        context.metrics.queueDepth("pending_refunds", refunds)
        return deliveries + attempts + refunds
    }
}
