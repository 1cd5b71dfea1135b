import Crypto
import Fluent
import Foundation
import PayHubCore
import SQLKit
import Vapor

/// `Idempotency-Key` on POSTs: the first response is stored and replayed for 24 hours; the same key with other
/// parameters is refused; a retry while the first request still runs gets 409. Keys belong to one merchant, mode
/// and credential (the secret key, or one intent's client token), so one caller can never answer another's
/// request; refusals that say nothing about the request's outcome (401, 403, 409, 429) are not stored. Stored
/// responses are sealed: they can carry secrets (a webhook endpoint's `whsec_` secret, a `client_token`).
struct IdempotencyService: Sendable {
    let context: PayHubContext
    let db: any Database

    static let lifetime: TimeInterval = 24 * 3600
    /// A key left `in_progress` this long belongs to a request that died with its process; it may run again.
    static let abandonedAfter: TimeInterval = 60
    /// Answers that are never replayed: the same request may succeed once the caller, its permission, the
    /// object's state or its rate allows it.
    static let unstoredStatuses: Set<UInt> = [401, 403, 409, 429]

    func respond(
        to request: Request, principal: Principal, _ operation: @Sendable () async throws -> Response
    ) async throws -> Response {
        guard let key = request.headers.first(name: "Idempotency-Key") else { return try await operation() }
        guard (1...255).contains(key.count), !key.contains(where: { $0.isNewline }) else {
            throw APIError.invalid("idempotency_key_invalid", "Idempotency-Key must have 1 to 255 characters.", param: "Idempotency-Key")
        }
        let now = context.clock.now()
        let fingerprint = Self.fingerprint(method: request.method.rawValue, path: request.url.path, body: request.bodyBytes)
        let record = IdempotencyKeyModel()
        record.id = "idk_" + context.ids.randomToken(length: 24)
        record.merchantID = principal.merchantID
        record.livemode = principal.livemode
        record.credentialScope = IdempotencyScope.of(principal)
        record.key = key
        record.fingerprint = fingerprint
        record.state = "in_progress"
        record.lockedAt = now
        record.createdAt = now
        record.expiresAt = now.addingTimeInterval(Self.lifetime)

        do {
            if let replay = try await claim(record) { return replay }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw APIError.keyInUse
        }

        let response: Response
        do {
            response = try await RequestIdempotency.$key.withValue(IdempotencyScope.objectKey(key, principal: principal)) {
                try await operation()
            }
        } catch {
            let errorResponse = APIErrorMiddleware.response(for: error, request: request)
            if errorResponse.status.code >= 500 || Self.unstoredStatuses.contains(errorResponse.status.code) {
                try? await release(record)
            } else {
                try await complete(record, with: errorResponse)
            }
            return errorResponse
        }
        if Self.unstoredStatuses.contains(response.status.code) {
            try await release(record)
        } else {
            try await complete(record, with: response)
        }
        return response
    }

    /// Inserts the key, or explains why this request may not run: a replay, a mismatch, or a request in flight.
    private func claim(_ record: IdempotencyKeyModel) async throws -> Response? {
        let now = context.clock.now()
        return try await context.transactor.writeSQL(on: db) { tx -> Response? in
            guard let row = try await tx.raw("""
                SELECT id, fingerprint, state, response_status, response_body, locked_at, expires_at FROM idempotency_keys \
                WHERE merchant_id = \(bind: record.merchantID) AND livemode = \(bind: record.livemode) \
                AND credential_scope = \(bind: record.credentialScope) AND \(ident: "key") = \(bind: record.key)
                """).first()
            else {
                try await Self.insert(record, on: tx)
                return nil
            }
            let existingID = try row.decode(column: "id", as: String.self)
            if try row.decode(column: "expires_at", as: Date.self) <= now {
                try await tx.raw("DELETE FROM idempotency_keys WHERE id = \(bind: existingID)").run()
                try await Self.insert(record, on: tx)
                return nil
            }
            guard try row.decode(column: "fingerprint", as: String.self) == record.fingerprint else {
                throw APIError(
                    status: .badRequest, kind: .idempotency, code: "idempotency_key_reused",
                    message: "This Idempotency-Key was already used with other parameters.", param: "Idempotency-Key")
            }
            if try row.decode(column: "state", as: String.self) == "completed", let status = try row.optional("response_status", as: Int.self) {
                let response = Response(status: HTTPResponseStatus(statusCode: status))
                response.headers.contentType = .json
                response.headers.replaceOrAdd(name: "Idempotent-Replayed", value: "true")
                response.body = .init(string: try openStored(try row.optional("response_body", as: String.self) ?? ""))
                return response
            }
            let lockedAt = try row.decode(column: "locked_at", as: Date.self)
            if lockedAt.addingTimeInterval(Self.abandonedAfter) < now {
                // Only one retry takes an abandoned key over: the one whose update still sees the old lock.
                let taken = try await tx.raw("""
                    UPDATE idempotency_keys SET locked_at = \(bind: now) \
                    WHERE id = \(bind: existingID) AND locked_at = \(bind: lockedAt) RETURNING id
                    """).first()
                guard taken != nil else { throw APIError.keyInUse }
                record.id = existingID
                return nil
            }
            throw APIError.keyInUse
        }
    }

    private static func insert(_ record: IdempotencyKeyModel, on tx: any SQLDatabase) async throws {
        try await tx.raw("""
            INSERT INTO idempotency_keys (id, merchant_id, livemode, credential_scope, \(ident: "key"), fingerprint, state, \
            locked_at, created_at, expires_at) \
            VALUES (\(bind: record.id), \(bind: record.merchantID), \(bind: record.livemode), \(bind: record.credentialScope), \
            \(bind: record.key), \
            \(bind: record.fingerprint), \(bind: record.state), \(bind: record.lockedAt), \(bind: record.createdAt), \
            \(bind: record.expiresAt))
            """).run()
    }

    private func complete(_ record: IdempotencyKeyModel, with response: Response) async throws {
        let body = try context.secrets.seal(
            response.body.data.map { String(decoding: $0, as: UTF8.self) } ?? response.body.string ?? "")
        let status = Int(response.status.code)
        let id = record.id ?? ""
        try await context.transactor.writeSQL(on: db) { tx in
            try await tx.raw("""
                UPDATE idempotency_keys SET state = 'completed', response_status = \(bind: status), \
                response_body = \(bind: body) WHERE id = \(bind: id)
                """).run()
        }
    }

    /// A stored response: sealed, or (stored before responses were sealed, and carrying no secret) plain JSON.
    private func openStored(_ body: String) throws -> String {
        body.hasPrefix(SecretBox.sealedPrefix) ? try context.secrets.open(body) : body
    }

    private func release(_ record: IdempotencyKeyModel) async throws {
        let id = record.id ?? ""
        try await context.transactor.writeSQL(on: db) { tx in
            try await tx.raw("DELETE FROM idempotency_keys WHERE id = \(bind: id)").run()
        }
    }

    /// Deletes keys past their 24 hours; returns how many.
    func purgeExpired() async throws -> Int {
        let now = context.clock.now()
        return try await context.transactor.write(on: db) { tx in
            let count = try await IdempotencyKeyModel.query(on: tx).filter(\.$expiresAt < now).count()
            try await IdempotencyKeyModel.query(on: tx).filter(\.$expiresAt < now).delete()
            return count
        }
    }

    /// Over the canonical form of a JSON body (sorted keys), so the same parameters in another order match.
    static func fingerprint(method: String, path: String, body: [UInt8]) -> String {
        var hasher = SHA256()
        hasher.update(data: Array("\(method) \(path)\n".utf8))
        if let object = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]),
           let canonical = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed]) {
            hasher.update(data: canonical)
        } else {
            hasher.update(data: body)
        }
        return Hex.encode(hasher.finalize())
    }
}

extension APIError {
    static let keyInUse = APIError(
        status: .conflict, kind: .idempotency, code: "idempotency_key_in_use",
        message: "A request with this Idempotency-Key is still being processed; retry shortly.")
}

/// Which credential an `Idempotency-Key` belongs to: the merchant's secret key, or one intent's client token.
enum IdempotencyScope {
    static let secretKey = "secret_key"

    static func of(_ principal: Principal) -> String {
        switch principal.credential {
        case .secretKey: secretKey
        case .clientToken(let intentID): "client_token:" + intentID
        }
    }

    /// The key as the objects a request creates record it (`RequestIdempotency.key`): the secret key's as sent; a
    /// client token's prefixed with its scope and a newline, which no `Idempotency-Key` header can contain, so a
    /// retry finds only what the same credential made.
    static func objectKey(_ key: String, principal: Principal) -> String {
        principal.isSecretKey ? key : of(principal) + "\n" + key
    }
}

/// The `Idempotency-Key` of the request being served (scoped by `IdempotencyScope.objectKey`), for services that
/// record it on what they create and look for it on a retry.
enum RequestIdempotency {
    @TaskLocal static var key: String?
}
