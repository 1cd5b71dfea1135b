import Fluent
import Foundation
import PayHubCore

/// Merchants' adaptive checkout rules: which methods a checkout shows. Every change gives the merchant's rule set a
/// new version and records its event in the same transaction.
struct CheckoutRuleService: Sendable {
    /// What the rules decide for a session.
    struct Evaluation: Sendable {
        var version: Int
        /// Nil when no rule applies and there is no default rule: the methods are then every one the accounts offer.
        var rule: CheckoutRuleRecord?
        var methods: [RuleMethod]
        /// What the merchant's accounts offer, which the methods were chosen from.
        var capabilities: [MethodCapability] = []
    }

    static let ruleLimit = 200
    static let lineItemLimit = 100

    let context: PayHubContext
    let db: any Database
    private let rules = CheckoutRuleRepository()

    init(context: PayHubContext, db: any Database) {
        self.context = context
        self.db = db
    }

    func create(_ input: CheckoutRuleInput, principal: Principal) async throws -> CheckoutRuleRecord {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        let scope = principal.scope
        let now = context.clock.now()
        let reader = context.transactor.reader(db)
        if let key = RequestIdempotency.key, let existing = try await rules.rule(
            createdByIdempotencyKey: key, in: scope, since: now.addingTimeInterval(-IdempotencyService.lifetime), on: reader) {
            // A retry of a request that created this rule but died before its response was stored.
            return existing
        }
        let rule = try Self.refusing { () throws(CheckoutRuleInvalid) in try CheckoutRuleParser.rule(id: context.ids.make(), input) }
        let capabilities = try await OfferedMethods(context: context).capabilities(in: scope, on: reader)
        if let index = MethodAvailability.firstUnoffered(rule.methods, by: capabilities) {
            throw Self.serviceError(MethodAvailability.unofferedError(rule.methods, at: index))
        }
        let (rules, recorder) = (self.rules, EventRecorder(context: context))
        return try await context.transactor.writeSQL(on: db) { tx in
            // The new version locks the rule set: concurrent changes take turns, each seeing the other's rules.
            let version = try await rules.nextVersion(in: scope, now: now, on: tx)
            let existing = try await rules.active(in: scope, on: tx)
            guard existing.count < Self.ruleLimit else {
                throw ServiceError.invalid("checkout_rule_limit", "A merchant can have at most \(Self.ruleLimit) checkout rules per mode.")
            }
            if let conflict = CheckoutRuleSet.conflict(adding: rule, to: existing.map(\.rule)) { throw Self.serviceError(conflict) }
            let record = CheckoutRuleRecord(
                rule: rule, scope: scope, createdVersion: version, deletedVersion: nil, createdAt: now, deletedAt: nil,
                idempotencyKey: RequestIdempotency.key)
            try await rules.insert(record, on: tx)
            try await recorder.record(
                [.checkoutRuleCreated], object: CheckoutRuleObject(record), objectID: record.id.rawValue,
                merchantID: scope.merchantID, livemode: scope.livemode, on: tx)
            return record
        }
    }

    func list(principal: Principal, page: PageRequest) async throws -> (rules: [CheckoutRuleRecord], hasMore: Bool) {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        return try await rules.page(in: principal.scope, page, on: context.transactor.reader(db))
    }

    func retrieve(_ id: String, principal: Principal) async throws -> CheckoutRuleRecord {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        guard let ruleID = CheckoutRuleID(validating: id),
              let rule = try await rules.find(ruleID, in: principal.scope, on: context.transactor.reader(db))
        else { throw ServiceError.notFound("checkout_rule", id: id) }
        return rule
    }

    /// Deletes the rule; the returned record carries the version its deletion made.
    func delete(_ id: String, principal: Principal) async throws -> CheckoutRuleRecord {
        let found = try await retrieve(id, principal: principal)
        let now = context.clock.now()
        let (rules, recorder) = (self.rules, EventRecorder(context: context))
        return try await context.transactor.writeSQL(on: db) { tx in
            let version = try await rules.nextVersion(in: found.scope, now: now, on: tx)
            guard let deleted = try await rules.delete(found.id, in: found.scope, version: version, now: now, on: tx) else {
                // Deleted meanwhile by another request: this one changes nothing (and its version is rolled back).
                throw ServiceError.notFound("checkout_rule", id: id)
            }
            try await recorder.record(
                [.checkoutRuleDeleted], object: CheckoutRuleObject(deleted), objectID: deleted.id.rawValue,
                merchantID: deleted.scope.merchantID, livemode: deleted.scope.livemode, on: tx)
            return deleted
        }
    }

    /// The rule that wins for these attributes and the methods it shows that the merchant's accounts offer.
    func evaluate(_ input: EvaluateCheckoutRulesRequest, principal: Principal) async throws -> Evaluation {
        guard principal.isSecretKey else { throw ServiceError.secretKeyRequired }
        return try await decide(for: try Self.attributes(input), in: principal.scope)
    }

    /// What a checkout in this scope shows for a session: the seam the hosted checkout reads.
    func decide(for session: CheckoutAttributes, in scope: TenantScope) async throws -> Evaluation {
        let reader = context.transactor.reader(db)
        let version = try await rules.version(in: scope, on: reader)
        let stored = try await rules.active(in: scope, on: reader)
        let capabilities = try await OfferedMethods(context: context).capabilities(in: scope, on: reader)
        let decision = CheckoutRuleSet(stored.map(\.rule)).decide(for: session, capabilities: capabilities)
        return Evaluation(
            version: version, rule: decision.rule.flatMap { winner in stored.first { $0.id == winner.id } }, methods: decision.methods,
            capabilities: capabilities)
    }

    static func attributes(_ input: EvaluateCheckoutRulesRequest) throws -> CheckoutAttributes {
        let currency: Currency
        do { currency = try Currency(code: input.currency) } catch { throw ServiceError.from(error, param: "amount") }
        guard input.amount >= 0 else {
            throw ServiceError.invalid("amount_invalid", "amount must be 0 or more, in minor units.", param: "amount")
        }
        try InputRules.text(input.userType, max: CheckoutRuleParser.maxTextLength, param: "user_type")
        let channel = try input.channel.map { name in
            guard let channel = CheckoutChannel(rawValue: name) else {
                throw ServiceError.invalid(
                    "parameter_invalid", "channel must be one of \(CheckoutChannel.allCases.map(\.rawValue).joined(separator: ", ")).",
                    param: "channel")
            }
            return channel
        }
        let country = try input.country.map { code in
            guard let country = CountryCode(rawValue: code) else {
                throw ServiceError.invalid("parameter_invalid", "country must be an ISO 3166 alpha-2 code such as 'IT'.", param: "country")
            }
            return country
        }
        let items = input.lineItems ?? []
        guard items.count <= lineItemLimit else {
            throw ServiceError.invalid("parameter_invalid", "line_items can have at most \(lineItemLimit) items.", param: "line_items")
        }
        for (index, item) in items.enumerated() {
            try InputRules.text(item.category, max: CheckoutRuleParser.maxTextLength, param: "line_items.\(index).category")
        }
        return CheckoutAttributes(
            amount: input.amount, currency: currency, userType: input.userType, channel: channel, country: country,
            productCategories: Set(items.compactMap(\.category)), metadata: input.metadata ?? [:])
    }

    /// A rule the engine refuses, as the API's error naming the field.
    static func serviceError(_ invalid: CheckoutRuleInvalid) -> ServiceError {
        ServiceError.invalid(invalid.code, invalid.message, param: invalid.field)
    }

    private static func refusing<T>(_ body: () throws(CheckoutRuleInvalid) -> T) throws -> T {
        do { return try body() } catch { throw serviceError(error) }
    }
}
