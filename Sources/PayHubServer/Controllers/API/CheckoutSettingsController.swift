import Vapor

/// `/v1/checkout_settings`: the merchant's checkout settings in the key's mode (the origins allowed to embed it, the
/// language its customer pages fall back to).
struct CheckoutSettingsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let settings = routes.grouped("checkout_settings")
        settings.get(use: retrieve)
        settings.post(use: update)
    }

    private func service(_ request: Request) -> CheckoutSettingsService {
        CheckoutSettingsService(context: request.payhub, db: request.db)
    }

    @Sendable func retrieve(_ request: Request) async throws -> Response {
        try CheckoutSettingsObject(try await service(request).retrieve(principal: try request.principal)).response()
    }

    @Sendable func update(_ request: Request) async throws -> Response {
        try await request.idempotent {
            let input = try request.decodeStrict(UpdateCheckoutSettingsRequest.self)
            let record = try await service(request).update(
                allowedOrigins: input.allowedOrigins, defaultLocale: input.defaultLocale, principal: try request.principal)
            return try CheckoutSettingsObject(record).response()
        }
    }
}

struct UpdateCheckoutSettingsRequest: StrictRequest {
    var allowedOrigins: [String]?
    var defaultLocale: String?

    enum CodingKeys: String, CodingKey {
        case allowedOrigins = "allowed_origins"
        case defaultLocale = "default_locale"
    }

    static let shape: [String: FieldShape] = ["allowed_origins": .array(.value), "default_locale": .value]
}
