import LeafKit

/// The page's model as Leaf reads it, built directly: no round trip through `Encodable` on every page. A value
/// that is nil is left out, so `#if(value)` is false. `methodsHTML` is the list of methods that Leaf rendered from
/// `checkout-methods.leaf` (CheckoutMethodsFragment).
extension CheckoutPageModel {
    func leafContext(methodsHTML: String) -> [String: LeafData] {
        var context: [String: LeafData] = [
            "lang": .string(lang), "title": .string(title), "merchant": .string(merchant), "styleNonce": .string(styleNonce),
            "themeCSS": .string(themeCSS), "stylesheet": .string(stylesheet), "script": .string(script),
            "screen": .string(screen.rawValue), "t": t, "heading": .string(heading),
            // Loops run in small contexts of their own (`#with`): Leaf copies the context for every item.
            "order": .dictionary(["lines": .array(lines.map(\.leafData))]), "showBreakdown": .bool(showBreakdown), "subtotal": .string(subtotal),
            "tax": .string(tax), "total": .string(total), "expires": .string(expires), "methodsHTML": .string(methodsHTML),
            "hasMethods": .bool(hasMethods), "showsOrder": .bool(showsOrder), "showBack": .bool(showBack),
            "showContinue": .bool(showContinue), "payLabel": .string(payLabel), "termsBefore": .string(termsBefore),
            "termsLink": .string(termsLink), "termsAfter": .string(termsAfter), "payAction": .string(payAction),
            "otpAction": .string(otpAction), "linkAction": .string(linkAction), "pageURL": .string(pageURL),
            "continueURL": .string(continueURL), "resultURL": .string(resultURL), "statusURL": .string(statusURL),
            "backLabel": .string(backLabel),
        ]
        let optional: [(String, LeafData?)] = [
            ("logoURL", logoURL.map(LeafData.string)), ("faviconURL", faviconURL.map(LeafData.string)),
            ("message", message.map(LeafData.string)), ("termsURL", termsURL.map(LeafData.string)),
            ("recurring", recurring.map(LeafData.string)),
            ("csrfToken", csrfToken.map(LeafData.string)), ("attemptKey", attemptKey.map(LeafData.string)),
            ("cancelURL", cancelURL.map(LeafData.string)), ("successURL", successURL.map(LeafData.string)),
            ("qrData", qrData.map(LeafData.string)), ("qrImage", qrImage.map(LeafData.string)),
            ("bankTransfer", bankTransfer?.leafData), ("refreshSeconds", refreshSeconds.map(LeafData.int)),
            ("errorMessage", errorMessage.map(LeafData.string)), ("notice", notice.map(LeafData.string)),
            ("card", card?.leafData),
        ]
        for case let (key, value?) in optional { context[key] = value }
        return context
    }
}

extension CheckoutPageModel.Line: LeafDataRepresentable {
    var leafData: LeafData { .dictionary(["name": .string(name), "quantity": .int(Int(quantity)), "amount": .string(amount)]) }
}

extension CheckoutPageModel.Method: LeafDataRepresentable {
    var leafData: LeafData {
        .dictionary([
            "value": .string(value), "id": .string(id), "label": .string(label), "checked": .bool(checked), "asksPhone": .bool(asksPhone),
        ])
    }
}

extension CheckoutPageModel.BankTransfer: LeafDataRepresentable {
    var leafData: LeafData {
        .dictionary(["accountHolder": .string(accountHolder), "iban": .string(iban), "bic": .string(bic), "reference": .string(reference)])
    }
}

extension CheckoutPageModel.CardFields: LeafDataRepresentable {
    var leafData: LeafData {
        .dictionary([
            "method": .string(method), "termsAccepted": .bool(termsAccepted), "providerScript": .string(providerScript),
            "publishableKey": .string(publishableKey), "script": .string(script),
        ])
    }
}
