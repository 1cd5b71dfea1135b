import Vapor

/// `GET /v1/payment_intents/{id}/payment_methods`: the methods the merchant's checkout rules offer for the intent,
/// readable with the intent's client token (what `payhub.js` shows) or the secret key.
struct PaymentIntentMethodsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("payment_intents", ":id", "payment_methods", use: list)
    }

    @Sendable func list(_ request: Request) async throws -> Response {
        let id: String = try request.parameters.require("id")
        let methods = try await IntentPaymentMethodsService(context: request.payhub, db: request.db)
            .methods(forIntent: id, principal: try request.principal)
        let data = methods.map(PaymentMethodOptionObject.init)
        return try ListObject(data: data, hasMore: false, url: "/v1/payment_intents/\(id)/payment_methods").response()
    }
}
