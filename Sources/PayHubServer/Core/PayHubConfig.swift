import Crypto
import Foundation
import Logging
import PayHubCore

/// Everything PayHub is configured with, parsed once at boot from the environment and the command line.
/// Missing or malformed values fail loudly, all of them at once.
public struct PayHubConfig: Sendable {
    public enum Database: Sendable, Equatable {
        case sqlite(path: String)
        case postgres(url: String)
    }

    /// SQLite's `synchronous` pragma, i.e. what a commit promises against power loss (see the README).
    public enum SQLiteSynchronous: String, Sendable, CaseIterable {
        /// fsync at every commit: a committed payment survives power loss. The default.
        case full = "FULL"
        /// fsync at checkpoints only: survives a killed process, may lose the last commits on power loss.
        case normal = "NORMAL"
    }

    public var database: Database
    public var sqliteSynchronous: SQLiteSynchronous
    public var dataDirectory: String
    public var hostname: String
    public var port: Int
    /// Where browsers reach this PayHub (sandbox pages, redirects). Defaults to `http://hostname:port`.
    public var publicBaseURL: String
    /// Whether `PAYHUB_PUBLIC_URL` set the public URL (otherwise it is guessed from the listen address).
    public var publicBaseURLConfigured: Bool
    /// 32 bytes that seal provider credentials and webhook secrets, and sign client tokens.
    public var masterKey: SymmetricKey
    public var maximumAmount: Int64
    /// Requests per second each API key may make (a burst of twice that is allowed).
    public var apiRequestsPerSecond: Int
    /// Requests per second a client token may poll one payment intent with.
    public var clientPollsPerSecond: Double
    public var clientTokenLifetime: TimeInterval
    /// Requests per second one client address may make to the hosted checkout's pages (a burst of four times
    /// that is allowed); one session's pages get half of it, whoever opens them.
    public var checkoutPageRequestsPerSecond: Double
    public var webhookTimeout: TimeInterval
    public var webhookConcurrency: Int
    /// Whether webhooks may go to private, loopback and link-local addresses (local development only).
    public var webhookAllowsPrivate: Bool
    /// A separate `host:port` that serves `/metrics`; when set, the API port does not.
    public var metricsAddress: (hostname: String, port: Int)?
    /// A bearer token that opens `/metrics` on the API port.
    public var metricsToken: String?
    /// Failed authentications a client address may make in a burst (they come back at one per second).
    public var authFailureBurst: Int
    /// How often background workers look for work.
    public var workerInterval: TimeInterval
    /// Age after which an unfinished attempt or refund is checked with its provider.
    public var statusCheckAge: TimeInterval
    /// How long a customer has to finish 3-D Secure, a wallet page or an OTP (`PAYHUB_ACTION_TIMEOUT`).
    public var actionTimeout: TimeInterval
    public var sandboxSettlementDelay: TimeInterval
    /// Whether this process runs the background workers (webhook delivery, status poller, sandbox simulator).
    public var runsWorkers: Bool
    public var logLevel: Logger.Level
    /// Email: SMTP (`PAYHUB_SMTP_*`, `PAYHUB_MAIL_FROM`) or the data folder's outbox.
    public var mail: MailSettings
    /// Text messages: the log gateway or Twilio (`PAYHUB_SMS_GATEWAY`, `PAYHUB_TWILIO_*`).
    public var sms: SMSSettings
    /// Where Twilio reports each message's delivery (`StatusCallback`): `PAYHUB_TWILIO_STATUS_CALLBACK`, or the public
    /// URL's `/v1/sms/twilio/status` when `PAYHUB_PUBLIC_URL` is set (Twilio cannot reach a guessed local address).
    public var smsStatusCallbackURL: String?
    /// How long before a sent payment link expires its one reminder goes (`PAYHUB_LINK_REMINDER_BEFORE`, seconds).
    public var linkReminderBefore: TimeInterval = 24 * 3600
    /// When a failed renewal is retried (`PAYHUB_DUNNING_RETRY_DAYS`, days after the failure, comma-separated).
    public var dunning: DunningSchedule = .standard

    /// The PostgreSQL URL, when PayHub runs on PostgreSQL.
    public var databaseURL: String? {
        if case .postgres(let url) = database { return url }
        return nil
    }

    public struct Invalid: Error, CustomStringConvertible {
        public var problems: [String]
        public var description: String { "Invalid configuration:\n" + problems.map { "  - \($0)" }.joined(separator: "\n") }
    }

    /// Reads the configuration. `overrides` come from command-line flags and win over the environment.
    public static func load(
        environment: [String: String] = ProcessInfo.processInfo.environment, overrides: [String: String] = [:]
    ) throws -> PayHubConfig {
        let env = environment.merging(overrides) { _, override in override }
        var problems: [String] = []

        func integer(_ name: String, default value: Int, range: ClosedRange<Int>) -> Int {
            guard let raw = env[name] else { return value }
            guard let parsed = Int(raw), range.contains(parsed) else {
                problems.append("\(name) must be an integer in \(range.lowerBound)...\(range.upperBound), got '\(raw)'")
                return value
            }
            return parsed
        }
        /// A number of seconds (or a rate); `positive` ones may not be zero (a zero rate or interval would trap or spin).
        func seconds(_ name: String, default value: Double, positive: Bool = false) -> Double {
            guard let raw = env[name] else { return value }
            guard let parsed = Double(raw), parsed.isFinite, positive ? parsed > 0 : parsed >= 0 else {
                problems.append("\(name) must be a \(positive ? "positive" : "non-negative") number, got '\(raw)'")
                return value
            }
            return parsed
        }

        func flag(_ name: String, default value: Bool) -> Bool {
            guard let raw = env[name] else { return value }
            switch raw.lowercased() {
            case "true", "1", "yes", "on": return true
            case "false", "0", "no", "off", "": return false
            default:
                problems.append("\(name) must be true or false, got '\(raw)'")
                return value
            }
        }

        let dataDirectory = env["PAYHUB_DATA_DIR"] ?? "./payhub-data"
        let database: Database
        if let url = env["DATABASE_URL"], !url.isEmpty {
            if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
                database = .postgres(url: url)
            } else {
                problems.append("DATABASE_URL must be a postgres:// URL (leave it unset for the embedded SQLite database)")
                database = .sqlite(path: dataDirectory + "/payhub.sqlite")
            }
        } else {
            database = .sqlite(path: dataDirectory + "/payhub.sqlite")
        }
        let synchronousRaw = (env["PAYHUB_SQLITE_SYNCHRONOUS"] ?? "FULL").uppercased()
        let synchronous = SQLiteSynchronous(rawValue: synchronousRaw) ?? {
            problems.append("PAYHUB_SQLITE_SYNCHRONOUS must be FULL or NORMAL, got '\(synchronousRaw)'")
            return .full
        }()

        var masterKey = SymmetricKey(size: .bits256)
        if let encoded = env["PAYHUB_MASTER_KEY"] {
            if let bytes = Data(base64Encoded: encoded), bytes.count == 32 {
                masterKey = SymmetricKey(data: bytes)
            } else {
                problems.append("PAYHUB_MASTER_KEY must be 32 bytes, base64-encoded (openssl rand -base64 32)")
            }
        } else if case .postgres = database {
            problems.append("PAYHUB_MASTER_KEY is required with PostgreSQL: every PayHub process must share it")
        } else {
            do {
                masterKey = try MasterKeyFile.loadOrCreate(directory: dataDirectory)
            } catch {
                problems.append("cannot use \(dataDirectory)/master.key: \(error)")
            }
        }

        let hostname = env["HOST"] ?? "127.0.0.1"
        let port = integer("PORT", default: 8080, range: 0...65535)
        var publicBaseURL = "http://\(hostname == "0.0.0.0" ? "127.0.0.1" : hostname):\(port)"
        if let raw = env["PAYHUB_PUBLIC_URL"], !raw.isEmpty {
            let trimmed = raw.hasSuffix("/") ? String(raw.dropLast()) : raw
            if let components = URLComponents(string: trimmed), ["http", "https"].contains(components.scheme?.lowercased() ?? ""),
               components.host?.isEmpty == false, components.query == nil {
                publicBaseURL = trimmed
            } else {
                problems.append("PAYHUB_PUBLIC_URL must be an http(s) URL such as https://pay.example.com, got '\(raw)'")
            }
        }
        var metricsAddress: (hostname: String, port: Int)?
        if let raw = env["PAYHUB_METRICS_ADDRESS"], !raw.isEmpty {
            if let colon = raw.lastIndex(of: ":"), let metricsPort = Int(raw[raw.index(after: colon)...]), (1...65535).contains(metricsPort),
               !raw[..<colon].isEmpty {
                metricsAddress = (String(raw[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]")), metricsPort)
                if metricsPort == port { problems.append("PAYHUB_METRICS_ADDRESS must use another port than the API (\(port))") }
            } else {
                problems.append("PAYHUB_METRICS_ADDRESS must be host:port (e.g. 127.0.0.1:9090), got '\(raw)'")
            }
        }
        let metricsToken = env["PAYHUB_METRICS_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        if let metricsToken, metricsToken.count < 16 {
            problems.append("PAYHUB_METRICS_TOKEN must be at least 16 characters (e.g. openssl rand -hex 32)")
        }
        let logLevel = env["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        var config = PayHubConfig(
            database: database,
            sqliteSynchronous: synchronous,
            dataDirectory: dataDirectory,
            hostname: hostname,
            port: port,
            publicBaseURL: publicBaseURL,
            publicBaseURLConfigured: env["PAYHUB_PUBLIC_URL"].map { !$0.isEmpty } ?? false,
            masterKey: masterKey,
            maximumAmount: Int64(integer("PAYHUB_MAX_AMOUNT", default: 99_999_999, range: 1...Int(Int32.max) * 1000)),
            apiRequestsPerSecond: integer("PAYHUB_API_RATE_LIMIT", default: 1000, range: 1...1_000_000),
            clientPollsPerSecond: seconds("PAYHUB_CLIENT_POLL_RATE", default: 2, positive: true),
            clientTokenLifetime: seconds("PAYHUB_CLIENT_TOKEN_TTL", default: 3600, positive: true),
            checkoutPageRequestsPerSecond: seconds("PAYHUB_CHECKOUT_RATE_LIMIT", default: 10, positive: true),
            webhookTimeout: seconds("PAYHUB_WEBHOOK_TIMEOUT", default: 15, positive: true),
            webhookConcurrency: integer("PAYHUB_WEBHOOK_CONCURRENCY", default: 64, range: 1...256),
            webhookAllowsPrivate: flag("PAYHUB_WEBHOOK_ALLOW_PRIVATE", default: false),
            metricsAddress: metricsAddress,
            metricsToken: metricsToken,
            authFailureBurst: integer("PAYHUB_AUTH_FAILURE_LIMIT", default: 20, range: 1...1_000_000),
            workerInterval: seconds("PAYHUB_WORKER_INTERVAL", default: 1, positive: true),
            statusCheckAge: seconds("PAYHUB_STATUS_CHECK_AGE", default: 60),
            actionTimeout: seconds("PAYHUB_ACTION_TIMEOUT", default: 3600, positive: true),
            sandboxSettlementDelay: seconds("PAYHUB_SANDBOX_DELAY", default: 2),
            runsWorkers: (env["PAYHUB_WORKERS"] ?? "on") != "off",
            logLevel: logLevel,
            mail: mailSettings(env, dataDirectory: dataDirectory, problems: &problems),
            sms: smsSettings(env, problems: &problems)
        )
        config.linkReminderBefore = seconds("PAYHUB_LINK_REMINDER_BEFORE", default: 24 * 3600, positive: true)
        if let raw = env["PAYHUB_TWILIO_STATUS_CALLBACK"], !raw.isEmpty {
            if let components = URLComponents(string: raw), ["http", "https"].contains(components.scheme?.lowercased() ?? ""),
               components.host?.isEmpty == false {
                config.smsStatusCallbackURL = raw
            } else {
                problems.append("PAYHUB_TWILIO_STATUS_CALLBACK must be an http(s) URL, got '\(raw)'")
            }
        } else if config.publicBaseURLConfigured {
            config.smsStatusCallbackURL = config.publicBaseURL + TwilioStatusCallback.path
        }
        if let raw = env["PAYHUB_DUNNING_RETRY_DAYS"] {
            let days = raw.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            if let schedule = try? DunningSchedule(retryDays: days.compactMap { $0 }), !days.contains(nil) || raw.isEmpty {
                config.dunning = schedule
            } else {
                problems.append("PAYHUB_DUNNING_RETRY_DAYS must list rising days between 1 and 60, such as 1,3,5,7; got '\(raw)'.")
            }
        }
        guard problems.isEmpty else { throw Invalid(problems: problems) }
        return config
    }
}

/// The embedded default's master key, generated once into the data folder with owner-only permissions.
enum MasterKeyFile {
    struct MalformedKey: Error, CustomStringConvertible {
        var path: String
        var description: String { "\(path) is not 32 base64-encoded bytes; restore it (sealed secrets depend on it) or remove it deliberately" }
    }

    static func loadOrCreate(directory: String) throws -> SymmetricKey {
        let path = directory + "/master.key"
        let manager = FileManager.default
        try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if manager.fileExists(atPath: path) {
            // Never replace an existing key: every sealed credential and webhook secret depends on it.
            let text = try String(contentsOfFile: path, encoding: .utf8)
            guard let bytes = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32 else {
                throw MalformedKey(path: path)
            }
            return SymmetricKey(data: bytes)
        }
        let key = SymmetricKey(size: .bits256)
        let encoded = key.withUnsafeBytes { Data($0).base64EncodedString() }
        guard manager.createFile(atPath: path, contents: Data((encoded + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else { throw CocoaError(.fileWriteUnknown) }
        return key
    }
}

extension PayHubConfig {
    /// When unfinished attempts and refunds are checked with their providers.
    var statusChecks: StatusCheckSchedule {
        StatusCheckSchedule(firstCheckAfter: statusCheckAge, actionTimeout: actionTimeout)
    }
}
