import Crypto
import PayHubConnectors
import PayHubCore
import Vapor

/// What protects the customer-facing authentication pages (the sandbox's and PayHub's page for Stripe):
/// - a CSRF token: a random value in a `SameSite=Strict` cookie and in the form, MACed together with the attempt
///   the page was opened for, so a form posts only from this page, in this browser, for this attempt;
/// - headers: a Content-Security-Policy without inline script and with `frame-ancestors 'none'`, no caching;
/// - one decision per attempt (`PaymentService.decideOnce`).
struct AuthenticationPageGuard {
    static let cookieName = "payhub_page_csrf"
    static let formField = "csrf_token"

    static let csrfInvalid = APIError(
        status: .forbidden, kind: .permission, code: "csrf_token_invalid",
        message: "This form did not come from this page, or the page was opened for another attempt: open the page again.")

    /// `formKey(masterKey:)`, which the context keeps.
    let key: SymmetricKey

    init(context: PayHubContext) {
        key = context.pageFormKey
    }

    static func formKey(masterKey: SymmetricKey) -> SymmetricKey {
        SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Data("payhub-page-csrf".utf8), using: masterKey))
    }

    /// A fresh token for a page about `attemptID`: the value for the form and the cookie to set with it.
    func issue(attemptID: PaymentAttemptID, path: String, secure: Bool) -> (formToken: String, cookie: (String, HTTPCookies.Value)) {
        issue(subject: attemptID.rawValue, path: path, secure: secure)
    }

    /// A fresh token for the forms of a page about `subject` (an attempt's or a checkout session's id), valid on
    /// `path` and below it.
    func issue(subject: String, path: String, secure: Bool) -> (formToken: String, cookie: (String, HTTPCookies.Value)) {
        let nonce = Self.letters(Array(SymmetricKey(size: .bits128).withUnsafeBytes { Data($0) }))
        let cookie = HTTPCookies.Value(
            string: nonce, maxAge: 3600, path: path, isSecure: secure, isHTTPOnly: true, sameSite: .strict)
        return (nonce + "." + mac(nonce: nonce, subject: subject), (Self.cookieName, cookie))
    }

    /// Checks a posted form: the cookie and the form carry the same nonce, and its MAC names `attemptID`.
    func check(_ request: Request, attemptID: PaymentAttemptID) throws {
        try check(request, subject: attemptID.rawValue)
    }

    /// Checks a posted form of a page about `subject`.
    func check(_ request: Request, subject: String) throws {
        let posted = (try? request.content.get(String.self, at: Self.formField)) ?? ""
        let parts = posted.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, let cookie = request.cookies[Self.cookieName]?.string,
              constantTimeEquals(Array(parts[0].utf8), Array(cookie.utf8)),
              constantTimeEquals(Array(parts[1].utf8), Array(mac(nonce: parts[0], subject: subject).utf8))
        else { throw Self.csrfInvalid }
    }

    private func mac(nonce: String, subject: String) -> String {
        return Self.letters(Array(HMAC<SHA256>.authenticationCode(for: Data("\(subject).\(nonce)".utf8), using: key)))
    }

    /// Bytes as letters `a` to `p`, two a byte: a token without digits never looks like a card number to
    /// `CardDataGuardMiddleware`, which would refuse the form.
    static func letters(_ bytes: [UInt8]) -> String {
        var ascii: [UInt8] = []
        ascii.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            ascii.append(UInt8(ascii: "a") + (byte >> 4))
            ascii.append(UInt8(ascii: "a") + (byte & 0x0F))
        }
        return String(decoding: ascii, as: UTF8.self)
    }

    /// The headers every authentication page carries. `styleNonce` admits the page's one style block.
    static func secure(_ response: Response, styleNonce: String, stripe: Bool = false, stylesheets: Bool = false, imageHosts: [String] = []) {
        let scripts = stripe ? "'self' https://js.stripe.com" : "'none'"
        let frames = stripe ? "https://js.stripe.com https://hooks.stripe.com" : "'none'"
        let connect = stripe ? "https://api.stripe.com" : "'none'"
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: [
            "default-src 'none'", "script-src \(scripts)", "style-src \(stylesheets ? "'self' " : "")'nonce-\(styleNonce)'", "img-src " + (["'self'", "data:"] + imageHosts).joined(separator: " "),
            "frame-src \(frames)", "connect-src \(connect)", "base-uri 'none'", "frame-ancestors 'none'",
        ].joined(separator: "; "))
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
    }

    /// 32 random letters: a form's one-use value that the card-data guard never mistakes for a card number.
    static func randomLetters() -> String {
        letters(Array(SymmetricKey(size: .bits128).withUnsafeBytes { Data($0) }))
    }

    static func newNonce() -> String {
        Data(SymmetricKey(size: .bits128).withUnsafeBytes { Data($0) }).base64EncodedString()
    }
}
