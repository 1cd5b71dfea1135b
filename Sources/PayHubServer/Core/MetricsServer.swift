import Crypto
import PayHubConnectors
import Vapor

/// Who may read `/metrics`: anyone on the separate metrics address (`PAYHUB_METRICS_ADDRESS`); on the API port
/// only a caller with `PAYHUB_METRICS_TOKEN` as its bearer token. With neither configured the API port answers 404.
enum MetricsAccess {
    static func allowsAPIPort(_ request: Request, token: String?) -> Bool {
        guard let token, let presented = request.headers.bearerAuthorization?.token else { return false }
        // Digests first, so the comparison takes the same time whatever the presented token's length.
        return constantTimeEquals(Array(SHA256.hash(data: Data(presented.utf8))), Array(SHA256.hash(data: Data(token.utf8))))
    }

    static func response(_ metrics: AppMetrics) -> Response {
        let response = Response(status: .ok, body: .init(string: metrics.exposition()))
        response.headers.replaceOrAdd(name: .contentType, value: "text/plain; version=0.0.4; charset=utf-8")
        return response
    }
}

/// Serves `GET /metrics` (and nothing else) on `PAYHUB_METRICS_ADDRESS`, next to the API's own server. It is an
/// application of its own: Vapor keeps one server configuration per application.
struct MetricsServer: LifecycleHandler {
    private final class Box: @unchecked Sendable {
        var app: Application?
    }

    let hostname: String
    let port: Int
    private let box = Box()

    init(hostname: String, port: Int) {
        self.hostname = hostname
        self.port = port
    }

    func didBootAsync(_ application: Application) async throws {
        let metrics = application.payhub.metrics
        let app = try await Application.make(Environment(name: "production", arguments: ["payhub"]), .shared(application.eventLoopGroup))
        app.logger = application.logger
        app.http.server.configuration.hostname = hostname
        app.http.server.configuration.port = port
        app.http.server.configuration.reportMetrics = false
        app.get("metrics") { _ in MetricsAccess.response(metrics) }
        do {
            try await app.server.start(address: nil)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        box.app = app
        application.logger.notice("metrics are served at http://\(hostname):\(port)/metrics")
    }

    func shutdownAsync(_ application: Application) async {
        guard let app = box.app else { return }
        box.app = nil
        await app.server.shutdown()
        try? await app.asyncShutdown()
    }
}
