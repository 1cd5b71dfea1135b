import Crypto
import Fluent
import Foundation
import PayHubCore

/// `Idempotency-Key`s: the first answer is stored and replayed for 24 hours; the same key with other parameters is
/// refused; a retry while the first request still runs is refused as in use. Keys belong to one merchant, mode and
/// credential (the secret key, or one intent's client token), so one caller can never answer another's request.
/// Stored answers are sealed: they can carry secrets (a webhook endpoint's `whsec_` secret, a `client_token`).
/// What is worth storing is the API's decision (`IdempotentRequest`).
struct IdempotencyService: Sendable {
    /// What a request with a key may do: run (under the claimed record), replay a stored answer, or nothing, as
    /// the key was first used with other parameters.
    enum Claim: Sendable {
        case run(IdempotencyKeyRecord)
        case replay(status: Int, body: String)
        case reusedWithOtherParameters
    }

    let context: PayHubContext
    let db: any Database
    private let keys = IdempotencyRepository()

    init(context: PayHubContext, db: any Database) {
        self.context = context
        self.db = db
    }

    static let lifetime: TimeInterval = 24 * 3600
    /// A key left `in_progress` this long belongs to a request that died with its process; it may run again.
    static let abandonedAfter: TimeInterval = 60

    /// Claims `key` for a request with this fingerprint, or says why it may not run: a replay, a reuse with other
    /// parameters, or (thrown) a request with the key in flight.
    func claim(key: String, fingerprint: String, principal: Principal) async throws -> Claim {
        guard (1...255).contains(key.count), !key.contains(where: { $0.isNewline }) else {
            throw ServiceError.invalid("idempotency_key_invalid", "Idempotency-Key must have 1 to 255 characters.", param: "Idempotency-Key")
        }
        let now = context.clock.now()
        let record = IdempotencyKeyRecord(
            id: context.ids.make(), scope: principal.scope, credentialScope: IdempotencyScope.of(principal), key: key,
            fingerprint: fingerprint, state: .inProgress, response: nil, lockedAt: now, createdAt: now,
            expiresAt: now.addingTimeInterval(Self.lifetime))
        let keys = self.keys
        do {
            return try await context.transactor.writeSQL(on: db) { tx -> Claim in
                guard let existing = try await keys.find(key: key, credentialScope: record.credentialScope, in: record.scope, on: tx) else {
                    try await keys.insert(record, on: tx)
                    return .run(record)
                }
                if existing.expiresAt <= now {
                    try await keys.delete(existing.id, in: existing.scope, on: tx)
                    try await keys.insert(record, on: tx)
                    return .run(record)
                }
                guard existing.fingerprint == fingerprint else { return .reusedWithOtherParameters }
                if existing.state == .completed, let response = existing.response {
                    return .replay(status: response.status, body: try openStored(response.body))
                }
                // Only one retry takes an abandoned key over: the one whose update still sees the old lock.
                guard existing.lockedAt.addingTimeInterval(Self.abandonedAfter) < now,
                      try await keys.relock(existing.id, from: existing.lockedAt, to: now, in: existing.scope, on: tx)
                else { throw ServiceError.idempotencyKeyInUse }
                return .run(existing)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw ServiceError.idempotencyKeyInUse
        }
    }

    /// Stores the answer to replay, sealed.
    func complete(_ record: IdempotencyKeyRecord, status: Int, body: String) async throws {
        let response = IdempotencyKeyRecord.StoredResponse(status: status, body: try context.secrets.seal(body))
        let keys = self.keys
        try await context.transactor.writeSQL(on: db) { tx in
            try await keys.complete(record.id, with: response, in: record.scope, on: tx)
        }
    }

    /// Forgets the key: the same request may run again.
    func release(_ record: IdempotencyKeyRecord) async throws {
        let keys = self.keys
        try await context.transactor.writeSQL(on: db) { tx in try await keys.delete(record.id, in: record.scope, on: tx) }
    }

    /// Deletes keys past their 24 hours; returns how many.
    func purgeExpired() async throws -> Int {
        let now = context.clock.now()
        let keys = self.keys
        return try await context.transactor.writeSQL(on: db) { tx in try await keys.purge(expiredBefore: now, for: .janitor, on: tx) }
    }

    /// A stored answer: sealed, or (stored before answers were sealed, and carrying no secret) plain JSON.
    private func openStored(_ body: String) throws -> String {
        body.hasPrefix(SecretBox.sealedPrefix) ? try context.secrets.open(body) : body
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
