import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

extension JobScheduler {
    /// The scheduler with every job PayHub runs, in two lanes: webhook deliveries (whose receivers may be slow)
    /// and everything else.
    static func standard(context: PayHubContext, db: any Database, logger: Logger) -> JobScheduler {
        let handlers: [any JobHandler] = [
            WebhookDeliveryJob(context: context, db: db, logger: logger),
            StatusCheckSweep(context: context, db: db, logger: logger),
            SandboxSettlementJob(simulator: SandboxSimulator(context: context, db: db, logger: logger)),
            LateSuccessReversalJob(context: context, db: db, logger: logger),
            CheckoutSessionExpiryJob(context: context, db: db, logger: logger),
            NotificationSendJob(context: context, db: db, logger: logger),
            PaymentLinkExpiryJob(context: context, db: db, logger: logger),
            PaymentLinkReminderJob(context: context, db: db, logger: logger),
            SubscriptionRenewalJob(context: context, db: db, logger: logger),
            ProviderSubscriptionJob(context: context, db: db, logger: logger),
            JanitorJob.idempotencyPurge(context: context, db: db),
            JanitorJob.rateLimitJanitor(context: context, db: db),
            InvoiceIssueJob(context: context, db: db, logger: logger),
            InvoiceRenderJob(context: context, db: db, logger: logger),
        ]
        let lanes = [
            Lane(name: "webhooks", kinds: [.webhookDelivery], concurrency: context.config.webhookConcurrency),
            Lane(
                name: "default",
                kinds: [
                    .statusCheckSweep, .sandboxSettlement, .lateSuccessReversal, .idempotencyPurge, .rateLimitJanitor,
                    .checkoutSessionExpiry, .notificationSend,
                    .paymentLinkExpiry, .paymentLinkReminder, .subscriptionRenewal,
                    .invoiceIssue, .invoiceRender, .providerSubscription,
                ],
                concurrency: 4),
        ]
        return JobScheduler(context: context, db: db, logger: logger, handlers: handlers, lanes: lanes)
    }

    /// The jobs that repeat for as long as PayHub runs: one row each, whichever process registers it first.
    static let recurring: [JobKind] = [.statusCheckSweep, .idempotencyPurge, .rateLimitJanitor]
}

/// Starts the job scheduler with the server and stops it with it (in-flight jobs are awaited).
struct BackgroundWorkers: LifecycleHandler {
    private let tasks = NIOLockedValueBox<[Task<Void, Never>]>([])

    func didBootAsync(_ application: Application) async throws {
        let context = application.payhub
        guard context.config.runsWorkers else { return }
        let db = application.db
        let logger = application.logger
        let scheduler = JobScheduler.standard(context: context, db: db, logger: logger)
        try await scheduler.scheduleRecurring(JobScheduler.recurring)
        let started = [
            Task { await scheduler.run() },
            Task {
                while !Task.isCancelled {
                    do { _ = try await QueueDepth.record(context: context, db: db) } catch {
                        if !Task.isCancelled { logger.error("queue depth failed", metadata: ["error": "\(error)"]) }
                    }
                    try? await Task.sleep(nanoseconds: 5_000_000_000)
                }
            },
        ]
        tasks.withLockedValue { $0 = started }
    }

    func shutdownAsync(_ application: Application) async {
        let running = tasks.withLockedValue { tasks in defer { tasks = [] }; return tasks }
        for task in running { task.cancel() }
        for task in running { await task.value }
    }
}

/// Queue depths for `/metrics` (this process's view of the shared database): jobs waiting by kind, webhook
/// deliveries owed, attempts and refunds waiting on their provider.
enum QueueDepth {
    static func record(context: PayHubContext, db: any Database) async throws -> Int {
        let reader = context.transactor.reader(db)
        let jobs = try await JobStore.pendingCounts(on: reader)
        for (kind, count) in jobs { context.metrics.queueDepth("jobs:\(kind)", count) }
        let (attempts, refunds) = try await PaymentRepository().waitingCountsAcrossTenants(on: reader)
        let deliveries = try await EventRepository().pendingDeliveryCount(for: .deliveryWorker, on: reader)
        context.metrics.queueDepth("webhook_deliveries", deliveries)
        context.metrics.queueDepth("unfinished_attempts", attempts)
        context.metrics.queueDepth("pending_refunds", refunds)
        return jobs.values.reduce(0, +) + deliveries + attempts + refunds
    }
}
