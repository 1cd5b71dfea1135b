import ArgumentParser
import Foundation
import Logging
import PayHubServer
import NIOCore
import NIOPosix
import Vapor

@main
struct PayHubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payhub",
        abstract: "PayHub: one API in front of many payment providers.",
        subcommands: [Serve.self, Migrate.self, MerchantCommand.self, ProviderCommand.self, JobsCommand.self],
        defaultSubcommand: Serve.self)

    /// Runs the command; any failure ends with one sentence on standard error and a non-zero exit status.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: CommandFailure.readable(error))
        }
    }
}

/// A failure as one sentence for the operator, never a dump of an internal error value.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String

    static func readable(_ error: any Error) -> any Error {
        switch error {
        case is CommandFailure, is CleanExit, is ExitCode, is ArgumentParser.ValidationError: return error
        case let invalid as PayHubConfig.Invalid: return CommandFailure(description: invalid.description)
        case let abort as any AbortError: return CommandFailure(description: sentence(abort.reason))
        default:
            if let refusal = PayHubApp.refusal(error) { return CommandFailure(description: sentence(refusal)) }
            // ArgumentParser's own errors (unknown options, missing values) print themselves well.
            let type = String(reflecting: type(of: error))
            if type.hasPrefix("ArgumentParser.") { return error }
            if type.contains("PSQLError") || type.contains("SQLiteError") {
                return CommandFailure(description: "PayHub could not use the database: check DATABASE_URL (or --data-dir) and that the database is running.")
            }
            return CommandFailure(description: sentence("PayHub could not finish: \(error)"))
        }
    }

    static func sentence(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let last = trimmed.last else { return "Something went wrong." }
        return ".!?".contains(last) ? trimmed : trimmed + "."
    }
}

/// Flags every subcommand takes; they win over the environment.
struct CommonOptions: ParsableArguments {
    @ArgumentParser.Option(help: "Data folder of the embedded SQLite database (env PAYHUB_DATA_DIR).") var dataDir: String?

    func config(port: Int? = nil, hostname: String? = nil) throws -> PayHubConfig {
        var overrides: [String: String] = [:]
        if let dataDir { overrides["PAYHUB_DATA_DIR"] = dataDir }
        if let port { overrides["PORT"] = String(port) }
        if let hostname { overrides["HOST"] = hostname }
        return try PayHubConfig.load(overrides: overrides)
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start the hub (API, sandbox pages, background workers).")
    @OptionGroup var options: CommonOptions
    @ArgumentParser.Option(help: "Port (env PORT, default 8080).") var port: Int?
    @ArgumentParser.Option(help: "Address to listen on (env HOST, default 127.0.0.1).") var hostname: String?

    func run() async throws {
        let config = try options.config(port: port, hostname: hostname)
        LoggingBootstrap.run(level: config.logLevel)
        // Run Swift concurrency on NIO's event loops: far fewer thread hops per request.
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        let signals = TerminationSignals()
        let app = try await PayHubApp.make(config: config)
        if config.webhookAllowsPrivate {
            app.logger.warning("PAYHUB_WEBHOOK_ALLOW_PRIVATE is on: webhooks may go to private and loopback addresses (local development only)")
        }
        do {
            var demo: MerchantCredentials?
            if case .sqlite = config.database { demo = try await PayHubApp.demoMerchant(app: app, config: config) }
            try await app.asyncBoot()
            try await app.server.start(address: nil)
            FileHandle.standardOutput.write(Data(PayHubApp.banner(config: config, demo: demo).utf8))
            let received = await signals.next()
            app.logger.notice("received signal \(received): stopping")
            // Stop answering requests before the databases close (Vapor's storage shuts down in no set order).
            await app.server.shutdown()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply database migrations (required before serving PostgreSQL).")
    @OptionGroup var options: CommonOptions
    @ArgumentParser.Flag(help: "Revert the last batch instead.") var revert = false

    func run() async throws {
        let config = try options.config()
        LoggingBootstrap.run(level: .warning)
        let app = try await PayHubApp.make(config: config, migrateSQLite: false)
        do {
            if revert {
                let reverted = try await PayHubApp.revertLastBatch(app)
                print(reverted == 0 ? "Nothing to revert." : "Reverted \(reverted) migration\(reverted == 1 ? "" : "s").")
            } else {
                let applied = try await PayHubApp.migrate(app)
                print(applied == 0 ? "The database is up to date." : "Applied \(applied) migration\(applied == 1 ? "" : "s").")
            }
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}

struct MerchantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "merchant", abstract: "Manage merchants.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a merchant and print its keys as JSON (shown once).")
        @OptionGroup var options: CommonOptions
        @ArgumentParser.Option(help: "The merchant's name.") var name: String

        func run() async throws {
            let config = try options.config()
            LoggingBootstrap.run(level: .warning)
            try await withApp(config) { app in
                let credentials = try await MerchantService(context: app.payhub, db: app.db).create(name: name)
                print(try JSON.pretty(credentials))
            }
        }
    }
}

struct ProviderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "provider", abstract: "Manage provider accounts.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a provider account to a merchant; credentials are sealed at rest.",
            discussion: "Example: payhub provider add --merchant acct_... --provider stripe --mode test --credential secret_key=sk_test_... --credential webhook_secret=whsec_...")
        @OptionGroup var options: CommonOptions
        @ArgumentParser.Option(help: "The merchant id (acct_...).") var merchant: String
        @ArgumentParser.Option(help: "The provider: sandbox, stripe, ...") var provider: String
        @ArgumentParser.Option(help: "test or live.") var mode: String = "test"
        @ArgumentParser.Option(help: "A display name.") var name: String?
        @ArgumentParser.Option(help: "A credential as key=value; repeat for each.") var credential: [String] = []

        func validate() throws {
            guard mode == "test" || mode == "live" else { throw ArgumentParser.ValidationError("--mode must be test or live") }
            for entry in credential where !entry.contains("=") { throw ArgumentParser.ValidationError("--credential takes key=value, got '\(entry)'") }
        }

        func run() async throws {
            let config = try options.config()
            LoggingBootstrap.run(level: .warning)
            var credentials: [String: String] = [:]
            for entry in credential {
                let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
                credentials[parts[0]] = parts.count > 1 ? parts[1] : ""
            }
            try await withApp(config) { app in
                let account = try await ProviderAccountService(context: app.payhub, db: app.db).add(
                    merchantID: merchant, provider: provider, livemode: mode == "live", name: name, credentials: credentials)
                print(try JSON.pretty(account))
                if !config.publicBaseURLConfigured {
                    FileHandle.standardError.write(Data((
                        "Note: PAYHUB_PUBLIC_URL is not set, so webhook_url assumes PayHub is reached at \(config.publicBaseURL); "
                        + "set PAYHUB_PUBLIC_URL to the address the provider reaches PayHub at.\n").utf8))
                }
            }
        }
    }
}

func withApp(_ config: PayHubConfig, _ body: (Application) async throws -> Void) async throws {
    let app = try await PayHubApp.make(config: config)
    do {
        try await body(app)
    } catch {
        try? await app.asyncShutdown()
        throw error
    }
    try await app.asyncShutdown()
}

enum JSON {
    static func pretty<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

enum LoggingBootstrap {
    static func run(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
