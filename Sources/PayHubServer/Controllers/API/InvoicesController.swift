import NIOCore
import PayHubCore
import PayHubDocuments
import Vapor

/// `/v1/invoices` and `/v1/credit_notes`: read-only (a finalised invoice never changes), their renderings, and
/// `POST /v1/invoices/download`, a zip streamed as it is written.
struct InvoicesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        for kind in [InvoiceDocument.Kind.invoice, .creditNote] {
            let collection = routes.grouped(PathComponent(stringLiteral: Self.path(kind)))
            collection.get { try await list($0, kind) }
            if kind == .invoice {
                collection.post("download", use: download)
                // `download` is not an invoice id: its other methods are 405, not "no such invoice".
                for method in [HTTPMethod.GET, .DELETE] { collection.on(method, "download", use: CheckoutRulesController.evaluateTakesPost) }
            }
            collection.group(":id") { invoice in
                invoice.get { try await retrieve($0, kind) }
                if kind == .invoice { invoice.post("send", use: send) }
                for format in InvoiceFormat.allCases {
                    invoice.get(PathComponent(stringLiteral: format.rawValue)) { try await file($0, kind, format) }
                }
            }
        }
    }

    static func path(_ kind: InvoiceDocument.Kind) -> String { kind == .invoice ? "invoices" : "credit_notes" }

    private func service(_ request: Request) -> InvoiceService {
        InvoiceService(context: request.payhub, db: request.db)
    }

    private func present(_ record: InvoiceRecord, _ request: Request) -> InvoiceObject {
        Presenter.invoice(record, publicBaseURL: request.payhub.config.publicBaseURL)
    }

    @Sendable func list(_ request: Request, _ kind: InvoiceDocument.Kind) async throws -> Response {
        let page = try PageRequest(request, filters: ["payment_intent", "customer_email", "number", "issue_date[gte]", "issue_date[lte]"])
        let records = try await service(request).list(kind, principal: try request.principal, page: page)
        return try ListObject(data: records.items.map { present($0, request) }, hasMore: records.hasMore, url: "/v1/\(Self.path(kind))").response()
    }

    @Sendable func retrieve(_ request: Request, _ kind: InvoiceDocument.Kind) async throws -> Response {
        let record = try await service(request).retrieve(try request.parameters.require("id"), kind: kind, principal: try request.principal)
        return try present(record, request).response()
    }

    @Sendable func file(_ request: Request, _ kind: InvoiceDocument.Kind, _ format: InvoiceFormat) async throws -> Response {
        let (record, stored): (InvoiceRecord, InvoiceFileRecord)
        do {
            (record, stored) = try await service(request).file(
                try request.parameters.require("id"), kind: kind, format: format, principal: try request.principal)
        } catch let refused as InvoiceExportRefused {
            throw APIError(
                status: .unprocessableEntity, kind: .invalidRequest, code: "invoice_export_refused",
                message: "This \(kind == .invoice ? "invoice" : "credit note") cannot be exported as \(format.rawValue): \(refused.field): \(refused.message)",
                param: refused.field)
        }
        let etag = "\"\(stored.sha256)\""
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: format.mediaType)
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(InvoiceFileName.of(record, format: format))\"")
        headers.replaceOrAdd(name: .eTag, value: etag)
        headers.replaceOrAdd(name: .cacheControl, value: "private, no-cache")
        if request.headers[.ifNoneMatch].contains(where: { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.contains(etag) }) {
            return Response(status: .notModified, headers: headers)
        }
        var buffer = ByteBufferAllocator().buffer(capacity: stored.bytes.count)
        buffer.writeBytes(stored.bytes)
        return Response(status: .ok, headers: headers, body: .init(buffer: buffer))
    }

    @Sendable func send(_ request: Request) async throws -> Response {
        try await request.idempotent {
            let input = try request.decodeStrict(SendInvoiceRequest.self)
            let record = try await InvoiceSending(context: request.payhub, db: request.db).send(
                try request.parameters.require("id"), recipient: input.recipient, principal: try request.principal)
            return try NotificationObject(record, attempts: []).response()
        }
    }

    /// Not stored under its `Idempotency-Key`: it changes nothing (a retry downloads the same invoices again).
    @Sendable func download(_ request: Request) async throws -> Response {
        let input = try request.decodeStrict(DownloadInvoicesRequest.self)
        let principal = try request.principal
        let archive = InvoiceArchive(context: request.payhub, db: request.db)
        let selection = try await archive.prepare(try input.selection(), principal: principal)
        let scope = principal.scope
        let logger = request.logger
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "application/zip")
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"invoices.zip\"")
        return Response(status: .ok, headers: headers, body: .init(asyncStream: { writer in
            do {
                try await archive.write(selection, in: scope, to: { chunk in
                    var buffer = ByteBufferAllocator().buffer(capacity: chunk.count)
                    buffer.writeBytes(chunk)
                    try await writer.write(.buffer(buffer))
                })
                try await writer.write(.end)
            } catch {
                logger.error("invoice archive failed mid-stream", metadata: ["error": "\(error)"])
                try? await writer.write(.error(error))
            }
        }))
    }
}

/// `POST /v1/invoices/download`: `ids`, or a `filter` (every invoice matching it).
struct DownloadInvoicesRequest: StrictRequest {
    struct Range: Codable, Sendable {
        var gte: String?
        var lte: String?
    }

    struct UnixRange: Codable, Sendable {
        var gte: Int64?
        var lte: Int64?
    }

    struct Filter: Codable, Sendable {
        var paymentIntent: String?
        var customerEmail: String?
        var number: String?
        var issueDate: Range?
        var created: UnixRange?

        enum CodingKeys: String, CodingKey {
            case number, created
            case paymentIntent = "payment_intent"
            case customerEmail = "customer_email"
            case issueDate = "issue_date"
        }
    }

    var ids: [String]?
    var filter: Filter?

    static let shape: [String: FieldShape] = [
        "ids": .array(.value),
        "filter": .object([
            "payment_intent": .value, "customer_email": .value, "number": .value,
            "issue_date": .object(["gte": .value, "lte": .value]), "created": .object(["gte": .value, "lte": .value]),
        ]),
    ]

    func selection() throws -> InvoiceArchive.Selection {
        switch (ids, filter) {
        case (let ids?, nil):
            return .ids(ids)
        case (nil, let filter?):
            var selection = InvoiceFilter()
            selection.paymentIntent = filter.paymentIntent
            selection.customerEmail = filter.customerEmail
            selection.number = filter.number
            selection.issueDateFrom = try filter.issueDate?.gte.map { try InvoiceService.date($0, param: "filter.issue_date.gte") }
            selection.issueDateTo = try filter.issueDate?.lte.map { try InvoiceService.date($0, param: "filter.issue_date.lte") }
            selection.createdFrom = filter.created?.gte.map { Date(timeIntervalSince1970: TimeInterval($0)) }
            selection.createdTo = filter.created?.lte.map { Date(timeIntervalSince1970: TimeInterval($0) + 0.999) }
            return .filter(selection)
        default:
            throw ServiceError.invalid("parameter_invalid", "Send either ids or filter.", param: "ids")
        }
    }
}
