import Fluent
import SQLKit
import Vapor

/// Health, readiness, metrics and the OpenAPI document.
struct SystemController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("healthz", use: health)
        routes.get("readyz", use: ready)
        routes.get("metrics", use: metrics)
        routes.get("v1", "openapi.json", use: openAPI)
    }

    @Sendable func health(_ request: Request) async throws -> Response {
        try ["status": "ok"].response()
    }

    @Sendable func ready(_ request: Request) async throws -> Response {
        do {
            guard let sql = request.db as? any SQLDatabase else { throw Abort(.serviceUnavailable) }
            try await sql.raw("SELECT 1").run()
            return try ["status": "ready", "database": "reachable"].response()
        } catch {
            return try ["status": "unavailable", "database": "unreachable"].response(.serviceUnavailable)
        }
    }

    /// Only with `PAYHUB_METRICS_TOKEN` on this port; otherwise not found here (see `MetricsAccess`).
    @Sendable func metrics(_ request: Request) async throws -> Response {
        guard MetricsAccess.allowsAPIPort(request, token: request.payhub.config.metricsToken) else { throw Abort(.notFound) }
        return MetricsAccess.response(request.payhub.metrics)
    }

    @Sendable func openAPI(_ request: Request) async throws -> Response {
        guard let data = try? Data(contentsOf: Bundle.module.bundleURL.appendingPathComponent("Resources/openapi.json")) else {
            throw Abort(.notFound)
        }
        let response = Response(status: .ok, body: .init(data: data))
        response.headers.contentType = .json
        return response
    }
}
