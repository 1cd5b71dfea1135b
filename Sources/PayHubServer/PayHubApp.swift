import Fluent
import Foundation
import Logging
import Vapor

/// Builds, migrates and runs a PayHub application: what the `payhub` command's subcommands share.
public enum PayHubApp {
    /// A configured application. The caller shuts it down.
    public static func make(config: PayHubConfig, migrateSQLite: Bool = true) async throws -> Application {
        let app = try await Application.make(Environment(name: "production", arguments: ["payhub"]))
        do {
            try await configure(app, config: config)
            if migrateSQLite, case .sqlite = config.database { try await migrate(app) }
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        return app
    }

    /// Applies the pending migrations quietly and says so in one line, only when there were any. Returns how many.
    @discardableResult
    public static func migrate(_ app: Application) async throws -> Int {
        let level = app.logger.logLevel
        app.logger.logLevel = max(level, .warning)
        defer { app.logger.logLevel = level }
        try await app.migrator.setupIfNeeded().get()
        let pending = try await app.migrator.previewPrepareBatch().get().count
        guard pending > 0 else { return 0 }
        try await app.migrator.prepareBatch().get()
        app.logger.logLevel = level
        app.logger.notice("database migrated: \(pending) migration\(pending == 1 ? "" : "s") applied")
        return pending
    }

    /// Reverts the last batch of migrations quietly. Returns how many were reverted.
    @discardableResult
    public static func revertLastBatch(_ app: Application) async throws -> Int {
        let level = app.logger.logLevel
        app.logger.logLevel = max(level, .warning)
        defer { app.logger.logLevel = level }
        try await app.migrator.setupIfNeeded().get()
        let batch = try await app.migrator.previewRevertLastBatch().get().count
        if batch > 0 { try await app.migrator.revertLastBatch().get() }
        return batch
    }

    /// The demo merchant of the embedded default: created on first run, its keys kept in the data folder
    /// (readable by the owner only) so that every start can print them.
    public static func demoMerchant(app: Application, config: PayHubConfig) async throws -> MerchantCredentials {
        let path = config.dataDirectory + "/demo-merchant.json"
        let merchants = MerchantService(context: app.payhub, db: app.db)
        let invoiceSettings = InvoiceSettingsService(context: app.payhub, db: app.db)
        if let data = FileManager.default.contents(atPath: path),
           let stored = try? JSONDecoder().decode(MerchantCredentials.self, from: data),
           try await merchants.exists(stored.id) {
            try await invoiceSettings.seedDemo(InvoiceSettingsService.demo, in: TenantScope(merchantID: stored.id, livemode: false))
            return stored
        }
        let credentials = try await merchants.create(name: "Demo Shop")
        try await invoiceSettings.seedDemo(InvoiceSettingsService.demo, in: TenantScope(merchantID: credentials.id, livemode: false))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        _ = FileManager.default.createFile(
            atPath: path, contents: try encoder.encode(credentials), attributes: [.posixPermissions: 0o600])
        return credentials
    }

    /// What a service refused, as the operator reads it (a `ServiceError`'s message); nil for other errors.
    public static func refusal(_ error: any Error) -> String? {
        (error as? ServiceError)?.message
    }

    public static func banner(config: PayHubConfig, demo: MerchantCredentials?) -> String {
        let base = config.publicBaseURL
        var lines = [
            "",
            "PayHub is running at \(base)",
            "  database        \(describe(config.database))",
            "  API             \(base)/v1  (OpenAPI: \(base)/v1/openapi.json)",
            "  health          \(base)/healthz  \(base)/readyz",
            "  metrics         \(metricsLine(config))",
            "  email           \(mailLine(config))",
            "  sms             \(smsLine(config))",
        ]
        if config.webhookAllowsPrivate {
            lines.append("  WARNING         PAYHUB_WEBHOOK_ALLOW_PRIVATE is on: webhooks may reach private and loopback addresses")
        }
        if let demo {
            lines += [
                "",
                "Demo merchant '\(demo.name)' (\(demo.id)), test mode, with a sandbox provider:",
                "  secret key       \(demo.secretKeyTest)",
                "  publishable key  \(demo.publishableKeyTest)",
                "",
                "Make a payment:",
                "  curl -s \(base)/v1/payment_intents -H 'Authorization: Bearer \(demo.secretKeyTest)' \\",
                "    -H 'Content-Type: application/json' -d '{\"amount\": 1250, \"currency\": \"EUR\"}'",
                "  curl -s \(base)/v1/payment_intents/<pi_id>/payments -H 'Authorization: Bearer \(demo.secretKeyTest)' \\",
                "    -H 'Content-Type: application/json' -d '{\"payment_method\": {\"type\": \"card\", \"token\": \"tok_visa\"}}'",
                "",
                "Open the hosted checkout (the response's \"url\"; a link by email lands in the demo outbox):",
                "  curl -s \(base)/v1/checkout_sessions -H 'Authorization: Bearer \(demo.secretKeyTest)' \\",
                "    -H 'Content-Type: application/json' -d '{\"amount\": 2500, \"currency\": \"EUR\", \"locale\": \"auto\"}'",
                "  curl -s \(base)/v1/payment_links -H 'Authorization: Bearer \(demo.secretKeyTest)' \\",
                "    -H 'Content-Type: application/json' -d '{\"amount\": 4200, \"currency\": \"EUR\", \"customer\": {\"email\": \"you@example.com\"}, \"send\": \"email\"}'",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func mailLine(_ config: PayHubConfig) -> String {
        switch config.mail.delivery {
        case .smtp(let smtp): "\(smtp)"
        case .outbox(let directory):
            "written as .eml files to \(directory), test-mode ones shown at \(config.publicBaseURL)/demo/outbox (set PAYHUB_SMTP_HOST to send them)"
        }
    }

    static func smsLine(_ config: PayHubConfig) -> String {
        switch config.sms {
        case .log: "logged, not sent (set PAYHUB_SMS_GATEWAY=twilio to send them)"
        case .twilio(let credentials, _): "Twilio, \(credentials)"
        }
    }

    static func metricsLine(_ config: PayHubConfig) -> String {
        if let address = config.metricsAddress {
            let host = address.hostname.contains(":") ? "[\(address.hostname)]" : address.hostname
            return "http://\(host):\(address.port)/metrics"
        }
        if config.metricsToken != nil { return "\(config.publicBaseURL)/metrics (with PAYHUB_METRICS_TOKEN as bearer token)" }
        return "off (set PAYHUB_METRICS_ADDRESS or PAYHUB_METRICS_TOKEN)"
    }

    static func describe(_ database: PayHubConfig.Database) -> String {
        switch database {
        case .sqlite(let path): "SQLite \(path)"
        case .postgres(let url):
            "PostgreSQL " + (URLComponents(string: url).map { "\($0.host ?? "")\($0.port.map { ":\($0)" } ?? "")\($0.path)" } ?? "")
        }
    }
}
