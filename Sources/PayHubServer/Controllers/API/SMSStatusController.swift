import Vapor

/// `POST /v1/sms/twilio/status`: Twilio's delivery reports of the text messages PayHub sent. Authenticated by
/// Twilio's signature, not by an API key.
struct SMSStatusController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(.POST, "sms", "twilio", "status", body: .collect(maxSize: "64kb"), use: receiveTwilio)
    }

    @Sendable func receiveTwilio(_ request: Request) async throws -> Response {
        guard request.headers.contentType == .urlEncodedForm else {
            throw APIError.invalid("content_type_unsupported", "Twilio sends 'Content-Type: application/x-www-form-urlencoded'.")
        }
        let fields: [String: String]
        do {
            fields = try request.content.decode([String: String].self)
        } catch {
            throw APIError.invalid("parameter_invalid", "The form could not be read.")
        }
        let outcome = try await SMSDeliveryService(context: request.payhub, db: request.db, logger: request.logger)
            .receiveTwilioReport(parameters: fields.map { ($0.key, $0.value) }, signature: request.headers.first(name: "X-Twilio-Signature"))
        return try ["received": outcome.rawValue].response()
    }
}
