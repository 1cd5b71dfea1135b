import PayHubConnectors
import Vapor

/// `/v1/providers/{provider}/webhooks/{account}`: what providers send. Authenticated by their signatures.
struct ProviderWebhooksController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(.POST, "providers", ":provider", "webhooks", ":account", body: .collect(maxSize: ByteCount(value: BodyLimit.providerWebhookBytes)), use: receive)
    }

    @Sendable func receive(_ request: Request) async throws -> Response {
        let webhook = IncomingWebhook(
            headers: Dictionary(request.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first }),
            body: request.bodyBytes)
        let outcome = try await ProviderWebhookService(context: request.payhub, db: request.db, logger: request.logger)
            .handle(provider: try request.parameters.require("provider"), accountID: try request.parameters.require("account"), webhook: webhook)
        return try ["received": outcome.rawValue].response()
    }
}
