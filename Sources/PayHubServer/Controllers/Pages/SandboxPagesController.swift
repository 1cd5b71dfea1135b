import Fluent
import Leaf
import PayHubCore
import Vapor

/// The sandbox provider's customer-facing page: 3-D Secure or a wallet, where the customer approves or fails.
struct SandboxPagesController: RouteCollection {
    struct PageModel: Encodable {
        var title: String
        var action: String
        var amount: String
        var merchant: String
        var decided: String?
    }

    struct Decision: Content {
        var decision: String
    }

    func boot(routes: any RoutesBuilder) throws {
        let pages = routes.grouped("sandbox", "authenticate")
        pages.get(":reference", use: show)
        pages.post(":reference", use: decide)
    }

    @Sendable func show(_ request: Request) async throws -> View {
        let reference = try request.parameters.require("reference")
        guard let attempt = try await PaymentAttemptModel.query(on: request.db)
            .filter(\.$provider == "sandbox").filter(\.$providerReference == reference).first(),
            let intent = try await PaymentIntentModel.find(attempt.paymentIntentID, on: request.db)
        else { throw APIError.notFound("sandbox payment", id: reference, param: "reference") }
        return try await request.view.render("sandbox-authenticate", try await PageModel(
            title: "PayHub sandbox: confirm this payment", action: "/sandbox/authenticate/\(reference)",
            attempt: attempt, intent: intent, db: request.db))
    }

    @Sendable func decide(_ request: Request) async throws -> Response {
        let reference = try request.parameters.require("reference")
        let decision = try request.content.decode(Decision.self)
        guard decision.decision == "approve" || decision.decision == "fail" else {
            throw APIError.invalid("parameter_invalid", "decision must be approve or fail.", param: "decision")
        }
        let simulator = SandboxSimulator(context: request.payhub, db: request.db, logger: request.logger)
        guard let attempt = try await simulator.customerDecided(reference: reference, approved: decision.decision == "approve") else {
            throw APIError.notFound("sandbox payment", id: reference, param: "reference")
        }
        return request.redirect(to: Self.returnURL(of: attempt) ?? "/sandbox/authenticate/\(reference)")
    }

    /// Where the customer goes back to: the attempt's return URL with the intent's id added.
    static func returnURL(of attempt: PaymentAttemptModel) -> String? {
        guard let returnURL = attempt.returnURL, var components = URLComponents(string: returnURL) else { return nil }
        var items = components.queryItems ?? []
        items.append(URLQueryItem(name: "payment_intent", value: attempt.paymentIntentID))
        components.queryItems = items
        return components.string ?? returnURL
    }
}

extension SandboxPagesController.PageModel {
    init(title: String, action: String, attempt: PaymentAttemptModel, intent: PaymentIntentModel, db: any Database) async throws {
        let merchant = try await MerchantModel.find(intent.merchantID, on: db)
        let amount = (try? Currency(code: intent.currency)).map { Money(minorUnits: intent.amount, currency: $0).description }
        self.init(
            title: title, action: action,
            amount: amount ?? "\(intent.amount) \(intent.currency)",
            merchant: merchant?.name ?? "",
            decided: attempt.status == "requires_action" ? nil : attempt.status)
    }
}
