import FluentKit
import Foundation
import PayHubConnectors
import PayHubCore

/// The attempt behind a customer's authentication page, which knows only the provider's reference.
struct AuthenticationPageSubject: Sendable {
    /// The provider's reference of the attempt, which the page's URL carries.
    var reference: String
    var attempt: PaymentAttemptRecord
    var intent: PaymentIntentRecord
    var merchantName: String
    /// Where the customer goes back to: the attempt's return URL with the intent's id added.
    var returnURL: String? {
        guard let returnURL = attempt.returnURL, var components = URLComponents(string: returnURL) else { return nil }
        components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: "payment_intent", value: intent.id.rawValue)]
        return components.string ?? returnURL
    }
}

/// The customer-facing authentication pages (the sandbox's, PayHub's for Stripe): what they show, and the one
/// decision each attempt takes.
extension PaymentService {
    static let alreadyDecided = ServiceError.conflict("authentication_already_decided", "This payment has already been decided.")

    func authenticationSubject(provider: String, reference: String, what: String) async throws -> AuthenticationPageSubject {
        guard let attempt = try await payments.attemptAcrossTenants(provider: provider, providerReference: reference, on: reader),
              let intent = try await payments.intent(attempt.paymentIntentID, in: attempt.scope, on: reader),
              let merchant = try await MerchantRepository().find(try MerchantID(parsing: attempt.scope.merchantID), on: reader)
        else { throw ServiceError.notFound(what, id: reference, param: "reference") }
        return AuthenticationPageSubject(reference: reference, attempt: attempt, intent: intent, merchantName: merchant.name)
    }

    /// The provider's part of PayHub's page for this attempt.
    func providerPage(for subject: AuthenticationPageSubject) async throws -> ProviderAuthenticationPage {
        let (account, connector) = try await provider(of: subject.attempt)
        return try await connector.authenticationPage(
            reference: subject.reference, context: try context.connectorContext(for: account))
    }

    /// Takes the customer's decision once per attempt, then applies it with `effect`; a decision whose effect
    /// failed is forgotten, so the customer may try again.
    func decideOnce(
        approved: Bool, for subject: AuthenticationPageSubject, _ effect: () async throws -> Void
    ) async throws {
        let attemptID = subject.attempt.id
        guard subject.attempt.status == .requiresAction else { throw Self.alreadyDecided }
        let (payments, now) = (self.payments, context.clock.now())
        let claimed = try await context.transactor.write(on: db) { tx in
            try await payments.claimDecision(approved: approved, for: attemptID, at: now, on: tx.sql)
        }
        guard claimed else { throw Self.alreadyDecided }
        do {
            try await effect()
        } catch {
            _ = try? await context.transactor.write(on: db) { tx in try await payments.releaseDecision(for: attemptID, on: tx.sql) }
            throw error
        }
    }

    /// An emulator's challenge, answered as the customer chose on PayHub's page.
    func completeEmulatedAuthentication(_ subject: AuthenticationPageSubject, approved: Bool) async throws {
        let (account, connector) = try await provider(of: subject.attempt)
        let result = try await connector.completeEmulatedAuthentication(
            reference: subject.reference, success: approved, context: try context.connectorContext(for: account))
        try await record(result, for: subject.attempt)
    }
}
