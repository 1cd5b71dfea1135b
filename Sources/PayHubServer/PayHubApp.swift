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
            if migrateSQLite, case .sqlite = config.database { try await app.autoMigrate() }
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        return app
    }

    /// The demo merchant of the embedded default: created on first run, its keys kept in the data folder
    /// (readable by the owner only) so that every start can print them.
    public static func demoMerchant(app: Application, config: PayHubConfig) async throws -> MerchantCredentials {
        let path = config.dataDirectory + "/demo-merchant.json"
        if let data = FileManager.default.contents(atPath: path),
           let stored = try? JSONDecoder().decode(MerchantCredentials.self, from: data),
           try await MerchantModel.find(stored.id, on: app.db) != nil {
            return stored
        }
        let credentials = try await MerchantService(context: app.payhub, db: app.db).create(name: "Demo Shop")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        _ = FileManager.default.createFile(
            atPath: path, contents: try encoder.encode(credentials), attributes: [.posixPermissions: 0o600])
        return credentials
    }

    public static func banner(config: PayHubConfig, demo: MerchantCredentials?) -> String {
        let base = config.publicBaseURL
        var lines = [
            "",
            "PayHub is running at \(base)",
            "  database        \(describe(config.database))",
            "  API             \(base)/v1  (OpenAPI: \(base)/v1/openapi.json)",
            "  health          \(base)/healthz  \(base)/readyz  metrics: \(base)/metrics",
        ]
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
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func describe(_ database: PayHubConfig.Database) -> String {
        switch database {
        case .sqlite(let path): "SQLite \(path)"
        case .postgres(let url):
            "PostgreSQL " + (URLComponents(string: url).map { "\($0.host ?? "")\($0.port.map { ":\($0)" } ?? "")\($0.path)" } ?? "")
        }
    }
}
