import Vapor

/// Counts requests by route and status and times them, for `/metrics`.
struct MetricsMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let started = ContinuousClock.now
        let response: Response
        do {
            response = try await next.respond(to: request)
        } catch {
            response = APIErrorMiddleware.response(for: error, request: request)
        }
        let route = request.route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? "unmatched"
        request.payhub.metrics.request(
            route: route, method: request.method.rawValue, status: response.status.code, duration: ContinuousClock.now - started)
        return response
    }
}
