import PayHubCore
import Vapor

/// `/v1/checkout_theme`: the merchant's look of the hosted checkout, in the key's mode.
struct CheckoutThemeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let theme = routes.grouped("checkout_theme")
        theme.get(use: retrieve)
        theme.post(use: update)
    }

    private func service(_ request: Request) -> CheckoutThemeService {
        CheckoutThemeService(context: request.payhub, db: request.db)
    }

    @Sendable func retrieve(_ request: Request) async throws -> Response {
        try CheckoutThemeObject(try await service(request).retrieve(principal: try request.principal)).response()
    }

    @Sendable func update(_ request: Request) async throws -> Response {
        try await request.idempotent {
            let changes = try request.decodeStrict(CheckoutThemeChanges.self)
            return try CheckoutThemeObject(try await service(request).update(changes, principal: try request.principal)).response()
        }
    }
}

/// The theme's fields, as `POST /v1/checkout_theme` and a session's `theme` take them.
extension CheckoutThemeChanges: StrictRequest {
    static let shape: [String: FieldShape] = Dictionary(
        uniqueKeysWithValues: CheckoutThemeChanges.CodingKeys.allCases.map { ($0.rawValue, FieldShape.value) })
}
