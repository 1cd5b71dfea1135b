import Foundation
import LeafKit
import PayHubCore

/// What a hosted checkout page shows, with every text already in the customer's language: templates only lay it
/// out (and Leaf escapes every value). `leafContext` hands it to Leaf as it is (CheckoutPageModel+LeafData.swift).
struct CheckoutPageModel {
    struct Line {
        var name: String
        var quantity: Int64
        var amount: String
    }

    struct Method {
        /// The form value: the method, and the provider when the rule names one.
        var value: String
        var id: String
        var label: String
        var checked: Bool
        var asksPhone: Bool
    }

    struct BankTransfer {
        var accountHolder: String
        var iban: String
        var bic: String
        var reference: String
    }

    /// The card page's provider fields and what its form sends back to `pay`.
    struct CardFields {
        /// The method chosen on the checkout page (`card:stripe`).
        var method: String
        var termsAccepted: Bool
        /// The provider's script (Stripe.js) and the key it starts with.
        var providerScript: String
        var publishableKey: String
        /// PayHub's script that mounts the fields and sends their token.
        var script: String
    }

    /// Which part of the page is shown.
    enum Screen: String {
        case choose, card, otp, ussd, qr, bankTransfer = "bank_transfer", redirect, succeeded, failed, pending, expired
    }

    var lang: String
    var title: String
    var merchant: String
    var logoURL: String?
    var faviconURL: String?
    var styleNonce: String
    /// The theme's values as CSS custom properties: only validated colours, a font from the safe list, a number.
    var themeCSS: String
    var stylesheet: String
    var script: String
    var screen: Screen
    /// The locale's sentences that every page shows (`sharedKeys`), made Leaf's data once per locale.
    var t: LeafData
    var heading: String
    var message: String?
    var lines: [Line]
    var showBreakdown: Bool
    var subtotal: String
    var tax: String
    var total: String
    /// A subscription's renewals ("Subscription: €9.90 every month."); nil for one payment.
    var recurring: String? = nil
    var expires: String
    var methods: [Method]
    var hasMethods: Bool
    var showsOrder: Bool
    var showBack: Bool
    var showContinue: Bool
    var payLabel: String
    var termsURL: String?
    var termsBefore: String
    var termsLink: String
    var termsAfter: String
    var csrfToken: String?
    var attemptKey: String?
    var payAction: String
    var otpAction: String
    var linkAction: String
    var pageURL: String
    var continueURL: String
    var resultURL: String
    var statusURL: String
    var cancelURL: String?
    var successURL: String?
    var backLabel: String
    var qrData: String?
    /// The QR code as an SVG `data:` URL (drawn by PayHub: the page needs no script to show it).
    var qrImage: String?
    var bankTransfer: BankTransfer?
    /// Seconds before a pending page reloads itself (without JavaScript).
    var refreshSeconds: Int?
    var errorMessage: String?
    /// What the page confirms (a link sent).
    var notice: String?
    /// The card page's fields; nil on every other screen.
    var card: CardFields? = nil
}

/// Builds a page's model from a session, the customer's language and what the page is for.
struct CheckoutPageModelBuilder {
    let subject: CheckoutPageService.Subject
    let locale: CustomerLocale
    let catalog: TranslationCatalog

    /// Keys every template reads from `t`: the plain sentences without placeholders.
    static let sharedKeys = [
        "checkout.choose_method", "checkout.order", "checkout.quantity", "checkout.subtotal", "checkout.tax", "checkout.total",
        "checkout.otp", "checkout.confirm", "checkout.phone", "checkout.email", "checkout.pay_by_link", "checkout.send_link",
        "checkout.terms_required", "checkout.no_method", "checkout.choose_another", "footer.secured", "result.refresh", "result.retry",
        "action.qr", "action.ussd", "action.redirect", "checkout.account_holder", "checkout.iban", "checkout.bic",
        "checkout.reference", "checkout.recipient", "checkout.card_details", "checkout.card_needs_script", "checkout.card_failed",
    ]

    func model(screen: CheckoutPageModel.Screen, csrfToken: String?, attemptKey: String?, styleNonce: String, errorMessage: String? = nil) -> CheckoutPageModel {
        let session = subject.session
        let theme = subject.theme
        let merchant = subject.merchantName
        let totals = session.session.totals
        let money = { (minor: Int64) in LocalizedMoney.format(Money(minorUnits: minor, currency: totals.currency), in: locale) }
        let total = money(totals.amountTotal)
        let id = session.id
        let texts = Self.shippedTexts[locale] ?? .dictionary(Self.sharedTexts(catalog)[locale]?.mapValues(LeafData.string) ?? [:])
        let (before, link, after) = Self.shippedTerms[locale] ?? Self.terms(catalog, locale)
        let lastFailure: PaymentFailure? = if case .choose(let failure) = subject.step { failure } else { nil }
        let action = subject.payment.activeAttempt?.attempt.nextAction
        return CheckoutPageModel(
            lang: locale.rawValue,
            title: theme.pageTitle ?? catalog.text("checkout.title", in: locale, ["merchant": merchant]),
            merchant: merchant, logoURL: theme.logoURL, faviconURL: theme.faviconURL, styleNonce: styleNonce,
            themeCSS: Self.css(theme), stylesheet: CheckoutAsset.stylesheet.path, script: CheckoutAsset.script.path,
            screen: screen, t: texts,
            heading: heading(screen),
            message: message(screen, total: total, failure: lastFailure, action: action),
            lines: totals.lines.map { CheckoutPageModel.Line(name: $0.item.name, quantity: $0.item.quantity, amount: money($0.subtotal)) },
            showBreakdown: !totals.lines.isEmpty, subtotal: money(totals.amountSubtotal), tax: money(totals.amountTax), total: total,
            recurring: subject.recurring.map { terms in
                catalog.text("checkout.recurring", in: locale, [
                    "amount": LocalizedMoney.format(terms.amount, in: locale), "every": Self.every(terms.interval, catalog: catalog, in: locale),
                ])
            },
            expires: catalog.text("checkout.expires", in: locale, ["date": LocalizedDate.format(session.session.expiresAt, in: locale)]),
            methods: methods(), hasMethods: !subject.methods.isEmpty,
            showsOrder: [.choose, .card, .otp, .ussd, .qr, .bankTransfer, .redirect].contains(screen),
            showBack: session.cancelURL != nil && screen != .succeeded, showContinue: session.successURL != nil && screen == .succeeded,
            payLabel: catalog.text("checkout.pay", in: locale, ["amount": total]),
            termsURL: theme.termsURL, termsBefore: before, termsLink: link, termsAfter: after,
            csrfToken: csrfToken, attemptKey: attemptKey,
            payAction: CheckoutRoute.pay.path(id), otpAction: CheckoutRoute.otp.path(id), linkAction: CheckoutRoute.payByLink.path(id),
            pageURL: CheckoutRoute.page.path(id), continueURL: CheckoutRoute.handOff.path(id), resultURL: CheckoutRoute.result.path(id), statusURL: CheckoutRoute.status.path(id),
            cancelURL: session.cancelURL, successURL: session.successURL,
            backLabel: catalog.text("checkout.cancel", in: locale, ["merchant": merchant]),
            qrData: { if case .displayQRCode(let data)? = action { data } else { nil } }(),
            qrImage: { () -> String? in
                guard case .displayQRCode(let data)? = action, let code = try? QRCode.encode(data) else { return nil }
                return "data:image/svg+xml;base64," + Data(code.svg(moduleSize: 6).utf8).base64EncodedString()
            }(),
            bankTransfer: { () -> CheckoutPageModel.BankTransfer? in
                guard case .displayBankTransferInstructions(let details)? = action else { return nil }
                return CheckoutPageModel.BankTransfer(
                    accountHolder: details.accountHolder, iban: details.iban, bic: details.bic, reference: details.reference)
            }(),
            refreshSeconds: [.pending, .ussd, .qr, .bankTransfer].contains(screen) ? 3 : nil,
            errorMessage: errorMessage)
    }

    /// "every month", "every 3 months", in the customer's language.
    static func every(_ interval: BillingInterval, catalog: TranslationCatalog, in locale: CustomerLocale) -> String {
        interval.count == 1
            ? catalog.text("interval.\(interval.unit.rawValue).one", in: locale)
            : catalog.text("interval.\(interval.unit.rawValue).other", in: locale, ["count": String(interval.count)])
    }

    private func heading(_ screen: CheckoutPageModel.Screen) -> String {
        switch screen {
        case .choose, .card, .otp, .ussd, .qr, .bankTransfer, .redirect: catalog.text("checkout.order", in: locale)
        case .succeeded: catalog.text("result.succeeded.title", in: locale)
        case .failed: catalog.text("result.failed.title", in: locale)
        case .pending: catalog.text("result.pending.title", in: locale)
        case .expired: catalog.text("result.expired.title", in: locale)
        }
    }

    private func message(_ screen: CheckoutPageModel.Screen, total: String, failure: PaymentFailure?, action: NextAction?) -> String? {
        let merchant = subject.merchantName
        switch screen {
        case .succeeded: return catalog.text("result.succeeded.body", in: locale, ["merchant": merchant, "amount": total])
        case .failed: return catalog.text("result.failed.body", in: locale)
        case .pending: return catalog.text("result.pending.body", in: locale)
        case .expired: return catalog.text("result.expired.body", in: locale, ["merchant": merchant])
        case .choose: return failure.map { _ in catalog.text("result.failed.body", in: locale) }
        case .card: return nil
        case .otp, .ussd:
            // The provider's own instruction (its language), after PayHub's.
            if case .otp(let text)? = action { return text }
            if case .ussd(let text)? = action { return text }
            return nil
        case .qr: return catalog.text("action.qr", in: locale)
        case .redirect: return catalog.text("action.redirect", in: locale)
        case .bankTransfer:
            guard case .displayBankTransferInstructions(let details)? = action else { return nil }
            return catalog.text("action.bank_transfer", in: locale, ["amount": total, "reference": details.reference])
        }
    }

    private func methods() -> [CheckoutPageModel.Method] {
        subject.methods.enumerated().map { index, method in
            let type = method.paymentMethod.rawValue
            let value = method.provider.map { "\(type):\($0)" } ?? type
            return CheckoutPageModel.Method(
                value: value, id: "method-\(index)", label: label(of: type), checked: index == 0, asksPhone: type == "mobile_money")
        }
    }

    private func label(of method: String) -> String {
        let key = "method.\(method)"
        return catalog.contains(key) ? catalog.text(key, in: locale) : method.replacingOccurrences(of: "_", with: " ").capitalized
    }

    /// The terms sentence of the shipped catalog in every locale, split once.
    private static let shippedTerms: [CustomerLocale: (String, String, String)] = (try? TranslationCatalog.shipped.get()).map { catalog in
        Dictionary(uniqueKeysWithValues: CustomerLocale.allCases.map { ($0, terms(catalog, $0)) })
    } ?? [:]

    static func terms(_ catalog: TranslationCatalog, _ locale: CustomerLocale) -> (String, String, String) {
        split(catalog.text("checkout.terms", in: locale, ["terms_link": "\u{1}", "end_link": "\u{2}"]))
    }

    /// The terms sentence around its link: text before the link, the link's text, text after.
    static func split(_ text: String) -> (String, String, String) {
        let start = text.firstIndex(of: "\u{1}"), end = text.firstIndex(of: "\u{2}")
        guard let start, let end, start < end else { return (text, "", "") }
        return (String(text[..<start]), String(text[text.index(after: start)..<end]), String(text[text.index(after: end)...]))
    }

    /// `sharedKeys` in every locale, keyed as templates read them (`checkout_order`): worked out once, not on
    /// every page.
    static func sharedTexts(_ catalog: TranslationCatalog) -> [CustomerLocale: [String: String]] {
        var texts: [CustomerLocale: [String: String]] = [:]
        for locale in CustomerLocale.allCases {
            texts[locale] = Dictionary(uniqueKeysWithValues: sharedKeys.map {
                (String($0.map { $0 == "." ? "_" : $0 }), catalog.text($0, in: locale))
            })
        }
        return texts
    }

    private static let shippedTexts: [CustomerLocale: LeafData] =
        (try? TranslationCatalog.shipped.get()).map { sharedTexts($0).mapValues { .dictionary($0.mapValues(LeafData.string)) } } ?? [:]

    /// The theme's font stack without quotes: `'Segoe UI'` inside a `<style>` would be HTML-escaped by Leaf, and
    /// CSS takes unquoted family names.
    private static let fontStacks: [ThemeFont: String] = Dictionary(uniqueKeysWithValues: ThemeFont.allCases.map {
        ($0, String($0.stack.filter { $0 != "'" }))
    })

    static func css(_ theme: CheckoutTheme) -> String {
        ":root{--ph-primary:\(theme.primaryColor);--ph-background:\(theme.backgroundColor);--ph-text:\(theme.textColor);"
            + "--ph-button:\(theme.buttonColor);--ph-button-text:\(theme.buttonTextColor);--ph-radius:\(theme.cornerRadius)px;"
            + "--ph-font:\(fontStacks[theme.font] ?? "system-ui");}"
    }
}
