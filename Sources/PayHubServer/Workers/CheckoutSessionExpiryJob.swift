import FluentKit
import Foundation
import Logging
import PayHubCore

extension JobKind {
    static let checkoutSessionExpiry = JobKind("checkout.expire_session")
}

/// Expires a checkout session when its time is up: one job per session (its unique key), scheduled for
/// `expires_at` in the transaction that created the session. The job's lease keeps two processes from running it
/// at once, and a repeated run changes nothing: an ended session is left as it is.
struct CheckoutSessionExpiryJob: JobHandler {
    struct Payload: Codable, Sendable {
        var session: String
    }

    let context: PayHubContext
    let db: any Database
    let logger: Logger

    var kind: JobKind { .checkoutSessionExpiry }
    var lease: TimeInterval { 120 }

    static func job(session id: CheckoutSessionID, at date: Date) -> NewJob {
        NewJob(kind: .checkoutSessionExpiry, payload: Payload(session: id.rawValue), runAt: date, uniqueKey: "checkout_expiry:\(id)")
    }

    func run(_ job: ClaimedJob) async throws -> JobOutcome {
        guard let id = CheckoutSessionID(validating: try job.decode(Payload.self).session) else { return .done }
        switch try await CheckoutSessionService(context: context, db: db, logger: logger).expireOnTime(id) {
        case .done: return .done
        case .checkAgain(let date): return .reschedule(at: date)
        }
    }
}
