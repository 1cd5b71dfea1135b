import AsyncHTTPClient
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Leaf
import LeafKit
import PayHubConnectors
import PayHubCore
import SQLKit
import Vapor

/// Builds a PayHub into `app`: database, migrations, middleware, routes and background workers.
/// `context` lets tests inject a clock, ids, connectors and a webhook transport.
public func configure(_ app: Application, config: PayHubConfig, context: PayHubContext? = nil) async throws {
    let context = try context ?? PayHubDefaults.context(config: config, app: app)
    app.payhub = context
    app.logger.logLevel = config.logLevel

    switch config.database {
    case .sqlite(let path):
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        app.databases.use(.sqlite(.file(path)), as: .sqlite)
    case .postgres(let url):
        var postgres = try SQLPostgresConfiguration(url: url)
        postgres.searchPath = nil
        app.databases.use(.postgres(configuration: postgres, maxConnectionsPerEventLoop: 8, connectionPoolTimeout: .seconds(30)), as: .psql)
    }
    app.migrations.add(PayHubMigrations.all)
    if case .sqlite(let path) = config.database {
        try await SQLitePragmas.apply(app: app, synchronous: config.sqliteSynchronous)
        context.transactor.attach(try SQLiteDirectStore(
            path: path, synchronous: config.sqliteSynchronous, logger: app.logger, eventLoop: app.eventLoopGroup.any()))
        app.lifecycle.use(SQLiteDirectShutdown(transactor: context.transactor))
    }

    app.http.server.configuration.hostname = config.hostname
    app.http.server.configuration.port = config.port
    // PayHub records its own request metrics (MetricsMiddleware), labelled by route.
    app.http.server.configuration.reportMetrics = false
    app.routes.defaultMaxBodySize = "64kb"

    // Views ship in the module's resource bundle, which may sit under a hidden `.build` folder.
    let views = Bundle.module.bundleURL.appendingPathComponent("Resources/Views").path + "/"
    app.directory.viewsDirectory = views
    app.leaf.sources = .singleSource(NIOLeafFiles(
        fileio: app.fileio, limits: [.toSandbox, .requireExtensions], sandboxDirectory: views, viewDirectory: views))
    app.views.use(.leaf)

    app.middleware = Middlewares()
    app.middleware.use(ClientCORSMiddleware())
    app.middleware.use(MetricsMiddleware())
    app.middleware.use(APIErrorMiddleware())

    try routes(app)
    if let metrics = config.metricsAddress {
        app.lifecycle.use(MetricsServer(hostname: metrics.hostname, port: metrics.port))
    }
    app.lifecycle.use(BackgroundWorkers())
}

/// The live dependencies.
enum PayHubDefaults {
    static func context(config: PayHubConfig, app: Application) throws -> PayHubContext {
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.redirectConfiguration = .disallow
        clientConfiguration.timeout = .init(connect: .seconds(5), read: .seconds(30))
        let client = HTTPClient(eventLoopGroupProvider: .shared(app.eventLoopGroup), configuration: clientConfiguration)
        app.lifecycle.use(HTTPClientShutdown(client: client))
        let webhooks = HTTPWebhookTransport(
            eventLoopGroup: app.eventLoopGroup, policy: WebhookTargetPolicy(allowsPrivate: config.webhookAllowsPrivate))
        app.lifecycle.use(WebhookTransportShutdown(transport: webhooks))
        let clock = SystemWallClock(), ids = SecureRandomIDGenerator()
        let renderer = NotificationTransports.renderer(config: config, clock: clock, ids: ids)
        return PayHubContext(
            config: config, clock: clock, ids: ids,
            connectors: ConnectorRegistry([
                SandboxConnector(settlementDelay: config.sandboxSettlementDelay),
                StripeConnector(httpClient: client),
            ]),
            webhookTransport: webhooks,
            mail: try NotificationTransports.mail(config: config, renderer: renderer, eventLoopGroup: app.eventLoopGroup, logger: app.logger),
            sms: NotificationTransports.sms(config: config, client: client, ids: ids, logger: app.logger))
    }
}

struct HTTPClientShutdown: LifecycleHandler {
    let client: HTTPClient
    func shutdownAsync(_ application: Application) async {
        try? await client.shutdown()
    }
}

struct WebhookTransportShutdown: LifecycleHandler {
    let transport: HTTPWebhookTransport
    func shutdownAsync(_ application: Application) async {
        await transport.shutdown()
    }
}

struct SQLiteDirectShutdown: LifecycleHandler {
    let transactor: Transactor
    func shutdownAsync(_ application: Application) async {
        await transactor.detach()
    }
}

/// WAL journal, the configured `synchronous` level and a busy timeout, on every SQLite connection.
enum SQLitePragmas {
    static func apply(app: Application, synchronous: PayHubConfig.SQLiteSynchronous) async throws {
        for eventLoop in app.eventLoopGroup.makeIterator() {
            guard let db = app.databases.database(.sqlite, logger: app.logger, on: eventLoop) as? any SQLDatabase else { continue }
            try await db.raw("PRAGMA journal_mode = WAL").run()
            try await db.raw("PRAGMA synchronous = \(unsafeRaw: synchronous.rawValue)").run()
            try await db.raw("PRAGMA busy_timeout = 5000").run()
        }
    }
}
