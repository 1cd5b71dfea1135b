import Crypto
import Foundation
import PayHubCore

/// A method the sandbox saved for off-session payments. Stateless like the rest of the sandbox: what later
/// off-session charges do is encoded in the reference, `spm_<behaviour>_<payment's random part>`, so the same
/// saved payment always gives the same reference and any PayHub process can charge it.
enum SandboxSavedMethod: String, CaseIterable {
    /// Keeps succeeding (a saved `tok_visa`, `tok_mastercard`, `tok_amex`, or a card approved on the card page).
    case succeeds = "ok"
    /// Saved by a payment that succeeded, then declines every off-session charge (`tok_declines_after_save`):
    /// a card that was blocked or ran out of funds after the first payment, for dunning tests.
    case declines = "dcl"

    static let prefix = "spm_"
    /// The test token whose first payment succeeds and whose saved method declines later.
    static let declinesAfterSaveToken = "tok_declines_after_save"

    /// What saving the card behind `token` gives; nil for a token whose payment does not succeed.
    static func saving(token: String?) -> SandboxSavedMethod? {
        if token == declinesAfterSaveToken { return .declines }
        return .succeeds
    }

    static func display(token: String?) -> String {
        switch token {
        case "tok_mastercard": "mastercard •••• 4444"
        case "tok_amex": "amex •••• 8431"
        case declinesAfterSaveToken: "visa •••• 0341"
        default: "visa •••• 4242"
        }
    }

    func reference(for paymentReference: String) -> String {
        Self.prefix + rawValue + "_" + String(paymentReference.split(separator: "_").last ?? "")
    }

    init?(reference: String) {
        guard reference.hasPrefix(Self.prefix) else { return nil }
        let parts = reference.dropFirst(Self.prefix.count).split(separator: "_")
        guard parts.count == 2, !parts[1].isEmpty, let behaviour = SandboxSavedMethod(rawValue: String(parts[0])) else { return nil }
        self = behaviour
    }

    /// The scenario an off-session charge of this method runs: no customer is there, so nothing may wait for one.
    var scenario: SandboxScenario { self == .succeeds ? .success : .declined }

    /// The random part of an off-session payment's reference, derived from the idempotency key: the same key gives
    /// the same payment, so a retried renewal never charges twice.
    static func paymentToken(idempotencyKey: String) -> String {
        let digest = SHA256.hash(data: Array(("sandbox-off-session:" + idempotencyKey).utf8))
        return String(digest.map { String(format: "%02x", $0) }.joined().prefix(16))
    }
}
