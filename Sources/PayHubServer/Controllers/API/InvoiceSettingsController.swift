import Vapor

/// `/v1/invoice_settings`: the merchant's legal data, numbering and VAT for its invoices, in the key's mode.
struct InvoiceSettingsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let settings = routes.grouped("invoice_settings")
        settings.get(use: retrieve)
        settings.put(use: update)
    }

    private func service(_ request: Request) -> InvoiceSettingsService {
        InvoiceSettingsService(context: request.payhub, db: request.db)
    }

    @Sendable func retrieve(_ request: Request) async throws -> Response {
        try InvoiceSettingsObject(try await service(request).retrieve(principal: try request.principal)).response()
    }

    @Sendable func update(_ request: Request) async throws -> Response {
        try await request.idempotent {
            let input = try request.decodeStrict(UpdateInvoiceSettingsRequest.self)
            return try InvoiceSettingsObject(try await service(request).update(input, principal: try request.principal)).response()
        }
    }
}
