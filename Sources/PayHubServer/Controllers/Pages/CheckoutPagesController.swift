import PayHubCore
import Vapor

/// The hosted checkout's pages, registered from `CheckoutRoute`. Every page is server-rendered and works without
/// JavaScript; every form carries a CSRF token bound to the session; every request is rate-limited per client
/// address and per session.
struct CheckoutPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        for route in CheckoutRoute.allCases {
            routes.on(route.method, route.pattern, body: .collect(maxSize: "16kb")) { request in
                try await handle(route, request)
            }
        }
        for asset in CheckoutAsset.allCases {
            routes.get(CheckoutAsset.directory + [PathComponent(stringLiteral: asset.rawValue)]) { request in
                try CheckoutAssets.response(asset, request: request)
            }
        }
    }

    private func handle(_ route: CheckoutRoute, _ request: Request) async throws -> Response {
        let raw = try request.parameters.require(CheckoutRoute.sessionParameter)
        try await CheckoutPageLimits.takeForAddress(request)
        let service = CheckoutPageService(context: request.payhub, db: request.db, logger: request.logger)
        if route == .status {
            let progress = try await service.progress(raw)
            try await CheckoutPageLimits.takeForSession(progress.session, request)
            return try CheckoutPageResponder.status(progress.step, session: progress.session)
        }
        let subject = try await service.subject(raw)
        try await CheckoutPageLimits.takeForSession(subject.session.id, request)
        let page = CheckoutPageResponder(request: request, subject: subject)
        switch route {
        case .page:
            return try await page.render(for: subject.step)
        case .result:
            return try await page.renderResult(of: subject.step)
        case .status:  // answered above, without the page's data; the same answer here
            return try CheckoutPageResponder.status(subject.step, session: subject.session.id)
        case .handOff:
            if case .handOff(let url) = subject.step { return request.redirect(to: url, redirectType: .normal) }
            return page.redirect(.page)
        case .back:
            return page.redirect(after: try await service.returned(subject).step)
        case .card:
            return try await cardPage(try request.query.decode(CheckoutCardQuery.self), page: page, service: service)
        case .pay:
            try page.checkForm()
            return try await pay(try request.content.decode(CheckoutPayForm.self), page: page, service: service)
        case .otp:
            try page.checkForm()
            let form = try request.content.decode(CheckoutCodeForm.self)
            return page.redirect(after: try await service.submitCode(subject, otp: form.otp).step)
        case .payByLink:
            try page.checkForm()
            return try await sendLink(try request.content.decode(CheckoutLinkForm.self), page: page)
        }
    }

    /// The Pay form: a refused choice is shown on the page; an attempt moves on to where it stands.
    private func pay(_ form: CheckoutPayForm, page: CheckoutPageResponder, service: CheckoutPageService) async throws -> Response {
        let subject = page.subject
        if subject.theme.termsURL != nil, form.terms != "accepted" {
            return try await page.render(for: subject.step, error: page.text("checkout.terms_required"), status: .badRequest)
        }
        do {
            let choice = try form.choice()
            if try await service.cardFields(for: choice, on: subject) != nil {
                // A card its provider's script takes: on to the card page, which posts back here with the token.
                return page.redirect(.card, query: CheckoutCardQuery(method: form.method, terms: form.terms).items)
            }
            let returnURL = CheckoutRoute.back.url(subject.session.id, publicBaseURL: page.request.payhub.config.publicBaseURL)
            let paid = try await service.pay(subject, choice: choice, returnURL: returnURL, key: "checkout:" + form.attemptKey)
            return page.redirect(after: paid.step)
        } catch let error as ServiceError where error.kind == .invalidInput {
            return try await page.render(for: subject.step, error: page.text(for: error), status: .badRequest)
        }
    }

    /// The card page: the provider's card fields for the method chosen on the page (terms accepted there). A
    /// method that needs no fields, or terms not accepted, goes back to the page.
    private func cardPage(_ query: CheckoutCardQuery, page: CheckoutPageResponder, service: CheckoutPageService) async throws -> Response {
        let subject = page.subject
        guard case .choose = subject.step, subject.session.session.status == .open else { return page.redirect(after: subject.step) }
        if subject.theme.termsURL != nil, query.terms != "accepted" { return page.redirect(.page) }
        do {
            let choice = try CheckoutPayForm.choice(method: query.method, phone: nil)
            guard let fields = try await service.cardFields(for: choice, on: subject) else { return page.redirect(.page) }
            return try await page.renderCard(fields, method: query.method, termsAccepted: query.terms == "accepted")
        } catch let error as ServiceError where error.kind == .invalidInput {
            return try await page.render(for: subject.step, error: page.text(for: error), status: .badRequest)
        }
    }

    /// "Pay later by link": a single-use link to this session, sent to the email address or phone number given.
    private func sendLink(_ form: CheckoutLinkForm, page: CheckoutPageResponder) async throws -> Response {
        let request = page.request
        let recipient = form.recipient.trimmingCharacters(in: .whitespaces)
        do {
            _ = try await PaymentLinkService(context: request.payhub, db: request.db, logger: request.logger).createForCheckoutSession(
                page.subject.session.id, recipient: recipient, channel: recipient.contains("@") ? .email : .sms, locale: page.locale,
                in: page.subject.session.scope)
        } catch let error as ServiceError where error.kind == .invalidInput {
            return try await page.render(for: page.subject.step, error: page.text("checkout.recipient_invalid"), status: .badRequest)
        }
        return try await page.render(for: page.subject.step, notice: page.text("checkout.link_sent", ["recipient": recipient]))
    }
}

/// The Pay form.
struct CheckoutPayForm: Content {
    var method: String
    var terms: String?
    var phone: String?
    /// A random value rendered with the form: a form sent twice is one attempt.
    var attemptKey: String
    /// The provider's token for the card entered in its fields on the card page (`tok_...`, `pm_...`).
    var cardToken: String?

    enum CodingKeys: String, CodingKey {
        case method, terms, phone
        case attemptKey = "attempt_key"
        case cardToken = "card_token"
    }

    func choice() throws -> CheckoutPageService.Choice {
        guard attemptKey.count >= 16, attemptKey.count <= 64, attemptKey.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            throw ServiceError.invalid("parameter_invalid", "The form is incomplete: open the page again.", param: "attempt_key")
        }
        var choice = try Self.choice(method: method, phone: phone)
        if let token = cardToken, !token.isEmpty {
            guard choice.method.rawValue == "card", token.count <= 255,
                  token.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_") })
            else { throw ServiceError.invalid("parameter_invalid", "The card could not be read: enter it again.", param: "card_token") }
            choice.token = token
        }
        return choice
    }

    /// The method (`card`, `card:stripe`) and, for mobile money, the phone number.
    static func choice(method: String, phone: String?) throws -> CheckoutPageService.Choice {
        let parts = method.split(separator: ":", maxSplits: 1).map(String.init)
        guard let first = parts.first, let type = PaymentMethodType(rawValue: first) else { throw CheckoutPageService.methodNotOffered }
        let phone = phone?.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: "")
        if type.rawValue == "mobile_money" {
            guard let phone, phone.wholeMatch(of: /(\+|00)[0-9]{8,15}/) != nil else {
                throw ServiceError.invalid(
                    "phone_invalid", "Enter the phone number of the mobile money account, with its country code.", param: "phone")
            }
        }
        return CheckoutPageService.Choice(
            method: type, provider: parts.count == 2 ? parts[1] : nil,
            msisdn: type.rawValue == "mobile_money" ? phone : nil)
    }
}

/// The card page's query: the method chosen on the checkout page, and whether its terms were accepted there.
struct CheckoutCardQuery: Content {
    var method: String
    var terms: String?

    var items: [URLQueryItem] {
        [URLQueryItem(name: "method", value: method)] + (terms == "accepted" ? [URLQueryItem(name: "terms", value: "accepted")] : [])
    }
}

/// The "pay later by link" form: an email address or a phone number.
struct CheckoutLinkForm: Content {
    var recipient: String
}

/// The one-time code form.
struct CheckoutCodeForm: Content {
    var otp: String
}
