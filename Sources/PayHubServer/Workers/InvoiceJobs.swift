import FluentKit
import Foundation
import Logging
import PayHubCore
import PayHubDocuments

extension JobKind {
    static let invoiceIssue = JobKind("invoice.issue")
    static let invoiceRender = JobKind("invoice.render")
}

/// Issues the invoice of a succeeded payment intent, or the credit note of a succeeded refund: enqueued in the
/// transaction that recorded the success (`InvoiceIssuance`), one per intent or refund (its unique key). A run
/// after a crash finds the invoice issued and changes nothing.
struct InvoiceIssueJob: JobHandler {
    struct Payload: Codable, Sendable {
        var merchant: String
        var livemode: Bool
        /// `pi_...` or `re_...`.
        var source: String
    }

    let context: PayHubContext
    let db: any Database
    let logger: Logger

    var kind: JobKind { .invoiceIssue }
    /// Issuing takes milliseconds: a process killed mid-run leaves its claim for 20 seconds only.
    var lease: TimeInterval { 20 }

    static func job(source: String, in scope: TenantScope, at date: Date) -> NewJob {
        NewJob(
            kind: .invoiceIssue, payload: Payload(merchant: scope.merchantID, livemode: scope.livemode, source: source), runAt: date,
            uniqueKey: "invoice_issue:\(source)")
    }

    func run(_ job: ClaimedJob) async throws -> JobOutcome {
        let payload = try job.decode(Payload.self)
        let scope = TenantScope(merchantID: payload.merchant, livemode: payload.livemode)
        let issuer = InvoiceIssuer(context: context, db: db)
        do {
            if let intent = PaymentIntentID(validating: payload.source) {
                _ = try await issuer.invoice(for: intent, in: scope)
            } else if let refund = RefundID(validating: payload.source) {
                _ = try await issuer.creditNote(for: refund, in: scope)
            }
            return .done
        } catch let refused as InvoiceIssuer.NotIssuable {
            logger.error("invoice not issued", metadata: ["source": "\(payload.source)", "reason": "\(refused.description)"])
            return JobOutcome(next: .giveUp(reason: refused.description))
        }
    }
}

/// Renders one format of a finalised invoice and stores it, so its download is served from storage: enqueued for
/// the PDF when the invoice is finalised. A refused rendering is left for the request that asks for it to report.
struct InvoiceRenderJob: JobHandler {
    struct Payload: Codable, Sendable {
        var merchant: String
        var livemode: Bool
        var invoice: String
        var format: String
    }

    let context: PayHubContext
    let db: any Database
    let logger: Logger

    var kind: JobKind { .invoiceRender }
    var lease: TimeInterval { 60 }

    static func job(invoice id: String, format: InvoiceFormat, in scope: TenantScope, at date: Date) -> NewJob {
        NewJob(
            kind: .invoiceRender, payload: Payload(merchant: scope.merchantID, livemode: scope.livemode, invoice: id, format: format.rawValue),
            runAt: date, uniqueKey: "invoice_render:\(id):\(format.rawValue)")
    }

    func run(_ job: ClaimedJob) async throws -> JobOutcome {
        let payload = try job.decode(Payload.self)
        let scope = TenantScope(merchantID: payload.merchant, livemode: payload.livemode)
        guard let format = InvoiceFormat(rawValue: payload.format), context.invoiceRenderers[format] != nil,
              let record = try await InvoiceRepository().invoice(payload.invoice, in: scope, on: context.transactor.reader(db))
        else { return .done }
        do {
            _ = try await InvoiceFiles(context: context, db: db).file(of: record, format: format)
        } catch let refused as InvoiceExportRefused {
            logger.warning("invoice rendering refused", metadata: ["invoice": "\(record.id)", "field": "\(refused.field)"])
        }
        return .done
    }
}
