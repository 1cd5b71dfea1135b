import Vapor

/// `Idempotency-Key` on POSTs, as HTTP sees it: the request's fingerprint, the stored answer replayed with
/// `Idempotent-Replayed: true`, and which answers are worth storing. Storage is `IdempotencyService`'s.
enum IdempotentRequest {
    /// Answers that are never replayed: the same request may succeed once the caller, its permission, the
    /// object's state or its rate allows it.
    static let unstoredStatuses: Set<UInt> = [401, 403, 409, 429]

    static func respond(
        to request: Request, principal: Principal, _ operation: @Sendable () async throws -> Response
    ) async throws -> Response {
        guard let key = request.headers.first(name: "Idempotency-Key") else { return try await operation() }
        let service = IdempotencyService(context: request.payhub, db: request.db)
        let fingerprint = IdempotencyService.fingerprint(method: request.method.rawValue, path: request.url.path, body: request.bodyBytes)
        let record: IdempotencyKeyRecord
        switch try await service.claim(key: key, fingerprint: fingerprint, principal: principal) {
        case .replay(let status, let body):
            let response = Response(status: HTTPResponseStatus(statusCode: status))
            response.headers.contentType = .json
            response.headers.replaceOrAdd(name: "Idempotent-Replayed", value: "true")
            response.body = .init(string: body)
            return response
        case .reusedWithOtherParameters:
            throw APIError(
                status: .badRequest, kind: .idempotency, code: "idempotency_key_reused",
                message: "This Idempotency-Key was already used with other parameters.", param: "Idempotency-Key")
        case .run(let claimed):
            record = claimed
        }
        let response: Response
        do {
            response = try await RequestIdempotency.$key.withValue(IdempotencyScope.objectKey(key, principal: principal)) {
                try await operation()
            }
        } catch {
            let errorResponse = APIErrorMiddleware.response(for: error, request: request)
            if errorResponse.status.code >= 500 || unstoredStatuses.contains(errorResponse.status.code) {
                try? await service.release(record)
            } else {
                try await service.complete(record, status: Int(errorResponse.status.code), body: body(of: errorResponse))
            }
            return errorResponse
        }
        if unstoredStatuses.contains(response.status.code) {
            try await service.release(record)
        } else {
            try await service.complete(record, status: Int(response.status.code), body: body(of: response))
        }
        return response
    }

    /// The API's responses are built whole (`Encodable.response`); a streamed one would be stored empty.
    private static func body(of response: Response) -> String {
        response.body.string ?? ""
    }
}

extension Request {
    /// Runs a POST under its `Idempotency-Key`, if it has one.
    func idempotent(_ operation: @escaping @Sendable () async throws -> Response) async throws -> Response {
        try await IdempotentRequest.respond(to: self, principal: try principal, operation)
    }
}
